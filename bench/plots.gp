# plots.gp - the scaling plots of the trade-off benchmark, drawn from the
# data files bench_main writes (bench/scaling.c):
#
#   gnuplot -c bench/plots.gp OUT
#
# writes OUT/scaling_sharing.png, OUT/scaling_vmas.png and OUT/scaling.png
# (the three panels in one picture).  OUT comes in as ARG1, never pasted
# into the script's text: any directory name works, quotes too.  Data
# columns: x, then for each backend in the order obj, anonvma2004,
# ptechain, scan: walk time (ns), VMAs visited per walk, rmap bytes; a
# point that failed is NaN.
#
# What a log axis would hide is drawn and said:
#   - 0 B (ptechain with one mapping, scan always): a log axis has no 0,
#     so the zeros sit on a row of their own below the curves, the tick
#     "0 B", in their backend's colour and point type, each backend a
#     little above the last (two zeros at one x do not hide each other);
#   - coinciding curves (obj and anonvma2004 walk the same VMAs): every
#     backend has its own point type and the later of two curves that
#     agree within 10% at every point is drawn dashed with hollow points
#     over the first, its key entry saying so.
# (stats runs on linear axes: on a log axis it drops the zeros too.)
# After a run, zeros_drawn and coinciding count what was drawn so.

dir = ARGC >= 1 ? ARG1 : "out/bench"
sharing = dir."/scaling_sharing.dat"
vmas = dir."/scaling_vmas.dat"
array names[4] = ["obj", "anonvma2004", "ptechain", "scan"]
array colours[4] = ["#6a3d9a", "#0b7a3e", "#1f78b4", "#d95f02"]
# filled circle, filled square, filled triangle, filled diamond; hollow
# versions (+1) for a curve drawn over another
array pts[4] = [7, 5, 9, 13]
walk(b) = 2 + 3 * b
bytes(b) = 4 + 3 * b
# how close two curves must be at every point to be called coinciding
near = 0.10

set logscale xy
set grid
# keys under the panels: inside, they sat on the curves
set key below Left reverse maxcols 2
set datafile missing "NaN"
zeros_drawn = 0
coinciding = 0

# build: the plot command (cmd) of one panel: walk time or bytes (kind)
# of file f for every backend b from 0 to last; zero values on the zero
# row (bytes panels).  The file's name stays in a variable: never pasted
# into a command's text
array suffix[4]
build = "unset logscale; cmd = ''; \
  do for [b = 0:last] { \
    c = kind eq 'walk' ? walk(b) : bytes(b); \
    suffix[b+1] = (kind eq 'bytes' && b == 1) ? ' (formula)' : ''; \
    stats f using (column(c) > 0 ? 1 : 0) nooutput; npos = STATS_sum; nrows = STATS_records; \
    hollow = 0; \
    do for [a = 0:b-1] { if (npos > 0 && hollow == 0) { \
      ca = kind eq 'walk' ? walk(a) : bytes(a); \
      stats f using ((column(c) > 0 && column(ca) > 0 && abs(column(c) / column(ca) - 1) <= near) || (column(c) == 0 && column(ca) == 0) ? 1 : 0) nooutput; \
      if (STATS_sum == nrows) { hollow = 1; coinciding = coinciding + 1; \
        suffix[b+1] = suffix[b+1].sprintf(' = %s (dashed)', names[a+1]) } } }; \
    style = sprintf(\"lc rgb '%s' pt %d ps %.1f dt %d\", colours[b+1], pts[b+1] - hollow, hollow ? 1.8 : 1.0, hollow ? 2 : 1); \
    if (npos > 0) { cmd = cmd.sprintf(\"%s f using 1:(column(%d) > 0 ? column(%d) : NaN) with linespoints %s title '%s'\", \
                                    cmd eq '' ? '' : ',', c, c, style, names[b+1].suffix[b+1]) }; \
    if (npos < nrows) { zeros_drawn = zeros_drawn + nrows - npos; \
      cmd = cmd.sprintf(\"%s f using 1:(column(%d) == 0 ? zrow * 1.3 ** (%d - 1.5) : NaN) with points %s title '%s'\", \
                        cmd eq '' ? '' : ',', c, b, style, npos > 0 ? names[b+1].': 0 B' : names[b+1].suffix[b+1].': 0 B everywhere') } \
  }; set logscale xy"

# zr (after build: stats obeys a set y range): a bytes panel's y range: the zero row a step below the smallest
# positive value, its tick "0 B", a light line above it
zr = "unset logscale; minpos = 1e30; \
  do for [b = 0:last] { stats f using (column(bytes(b)) > 0 ? column(bytes(b)) : 1e30) nooutput; \
                        if (STATS_min < minpos) { minpos = STATS_min } }; \
  lo = minpos < 1e30 ? 10 ** floor(log10(minpos)) : 10; \
  zrow = lo / 4; \
  set yrange [lo / 8:*]; \
  set ytics lo, 10; set ytics add ('0 B' zrow); \
  set arrow 1 from graph 0, first sqrt(zrow * lo) to graph 1, first sqrt(zrow * lo) nohead lc rgb '#bbbbbb' dt 3; \
  set logscale xy"
end_bytes = "set yrange [*:*]; set ytics autofreq; unset arrow 1"

set terminal pngcairo size 1100,650 noenhanced
set output dir."/scaling_sharing.png"
set multiplot layout 1,2 title "rmap vs sharing degree (256 anonymous pages mapped by d processes)"
set xlabel "sharing degree d"
set ylabel "walk time per page (ns)"
f = sharing; kind = 'walk'; last = 3; eval build
eval 'plot '.cmd
set ylabel "rmap bytes (0 B: the row so marked; a log axis has no 0)"
f = sharing; kind = 'bytes'; last = 3; eval build
eval zr
eval 'plot '.cmd
eval end_bytes
unset multiplot

set output dir."/scaling_vmas.png"
set multiplot layout 1,2 title "rmap vs VMAs on one file (one page, one real mapping)"
set xlabel "VMAs on the file"
set ylabel "walk time per walk (ns)"
f = vmas; kind = 'walk'; last = 3; eval build
eval 'plot '.cmd
set ylabel "rmap bytes (0 B: the row so marked; a log axis has no 0)"
f = vmas; kind = 'bytes'; last = 3; eval build
eval zr
eval 'plot '.cmd
eval end_bytes
unset multiplot

set terminal pngcairo size 1600,650 noenhanced
set output dir."/scaling.png"
set multiplot layout 1,3 title "PTE chains vs object-based rmap: scaling"
set xlabel "sharing degree d (256 anonymous pages)"
set ylabel "walk time per page (ns)"
f = sharing; kind = 'walk'; last = 3; eval build
eval 'plot '.cmd
set ylabel "rmap bytes (0 B: the row so marked; a log axis has no 0)"
f = sharing; kind = 'bytes'; last = 3; eval build
eval zr
eval 'plot '.cmd
eval end_bytes
set xlabel "VMAs on one file (one real mapping)"
set ylabel "walk time (ns)"
f = vmas; kind = 'walk'; last = 3; eval build
eval 'plot '.cmd
unset multiplot
