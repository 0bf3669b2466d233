# plots.gp - the scaling plots of the trade-off benchmark, drawn from the
# data files bench_main writes (bench/scaling.c):
#
#   gnuplot -e "dir='OUT'" bench/plots.gp
#
# writes OUT/scaling_sharing.png, OUT/scaling_vmas.png and OUT/scaling.png
# (the three panels in one picture).  Data columns: x, then for each
# backend in the order obj, anonvma2004, ptechain, scan: walk time (ns),
# VMAs visited per walk, rmap bytes; a point that failed is NaN.

if (!exists("dir")) dir = "out/bench"
sharing = dir."/scaling_sharing.dat"
vmas = dir."/scaling_vmas.dat"
array names[4] = ["obj", "anonvma2004", "ptechain", "scan"]
walk(b) = 2 + 3 * b
bytes(b) = 4 + 3 * b

set logscale xy
set grid
set key top left Left reverse
set style data linespoints
set datafile missing "NaN"

# log axes hide the zero bytes of the designs that keep nothing
nonzero(v) = v > 0 ? v : NaN

set terminal pngcairo size 900,600 noenhanced
set output dir."/scaling_sharing.png"
set multiplot layout 1,2 title "rmap vs sharing degree (256 anonymous pages mapped by d processes)"
set xlabel "sharing degree d"
set ylabel "walk time per page (ns)"
plot for [b=0:3] sharing using 1:walk(b) title names[b+1]
set ylabel "rmap bytes"
plot for [b=0:2] sharing using 1:(nonzero(column(bytes(b)))) title names[b+1].(b == 1 ? " (formula)" : "")
unset multiplot

set output dir."/scaling_vmas.png"
set multiplot layout 1,2 title "rmap vs VMAs on one file (one page, one real mapping)"
set xlabel "VMAs on the file"
set ylabel "walk time per walk (ns)"
plot for [b=0:3] vmas using 1:walk(b) title names[b+1]
set ylabel "rmap bytes"
plot for [b=0:1] vmas using 1:(nonzero(column(bytes(b)))) title names[b+1].(b == 1 ? " (formula)" : "")
unset multiplot

set terminal pngcairo size 1400,500 noenhanced
set output dir."/scaling.png"
set multiplot layout 1,3 title "PTE chains vs object-based rmap: scaling"
set xlabel "sharing degree d (256 anonymous pages)"
set ylabel "walk time per page (ns)"
plot for [b=0:3] sharing using 1:walk(b) title names[b+1]
set ylabel "rmap bytes"
plot for [b=0:2] sharing using 1:(nonzero(column(bytes(b)))) title names[b+1].(b == 1 ? " (formula)" : "")
set xlabel "VMAs on one file (one real mapping)"
set ylabel "walk time (ns)"
plot for [b=0:3] vmas using 1:walk(b) title names[b+1]
unset multiplot
