# timeseries.gp - a campaign's timeseries.png from its timeseries.tsv
# (tools/fuzz_campaign.sh):
#
#   gnuplot -c tools/timeseries.gp SERIES.tsv OUT.png TITLE
#
# The paths come in as ARG1 and ARG2, never pasted into the script text:
# a directory named with a quote (/tmp/x'y) is just a string here.
#
# Columns: time elapsed execs execs_per_s coverage corpus findings
# features [flaky].  "-" is a figure the engine has not reported yet (AFL++
# before its first fuzzer_stats, libFuzzer before its first status line,
# edges in libFuzzer's -fork mode): nothing is drawn for it, not a 0.
#
# One panel per quantity, each with its own axis: findings (a handful)
# would be a flat line at the bottom of the corpus axis (hundreds).  Each
# panel is named by its title, so no key sits over a line; the one panel
# with two quantities (edges and features) gives each its own axis and puts
# its key under the plot.

if (ARGC < 3) { print "usage: gnuplot -c timeseries.gp SERIES.tsv OUT.png TITLE"; exit status 2 }
series = ARG1
set datafile separator '\t'
set datafile missing '-'

# how many rows have a number in column c ("-", "" and the header do not)
isnum(c) = strcol(c) ne '-' && strcol(c) ne '' && strcol(c) eq sprintf('%d', int(column(c)))
stats series using 2 nooutput
xmax = STATS_max > 0 ? STATS_max : 1
# a 9th column: the kernel engine's flaky inputs
has_flaky = STATS_columns >= 9
# (one column per stats: two would fit a line, which warns on one row)
count(c) = sprintf('stats series using (isnum(%d)) nooutput; n%d = STATS_sum', c, c)
eval count(3); eval count(4); eval count(5); eval count(6); eval count(8)
n_execs = n3; n_rate = n4; n_cov = n5; n_corpus = n6; n_ft = n8
# the first time the engine reported its figures, and the first row's:
# an engine that reports late (AFL++ rewrites its stats after a while) is
# said to, over the empty stretch
stats series using (isnum(3) ? column(2) : 1e30) nooutput
first_known = STATS_min
stats series using 2 nooutput
first_row = STATS_min
late = n_execs > 0 && first_known > first_row
late_note = sprintf("set label 2 'not reported before %.0f s' at graph 0.03, graph 0.9 left tc rgb '#777777'", first_known)
# the largest count of findings (and flaky inputs): the panel's y range
stats series using 7 nooutput
max_findings = STATS_max
if (has_flaky) { stats series using 9 nooutput; max_flaky = STATS_max }

set terminal pngcairo size 1200,900 noenhanced font ',10'
set output ARG2
set grid
set xrange [0:xmax * 1.02]
set xlabel 'seconds (all runs)'
set style data linespoints
set pointsize 0.6
unset key
# dark colours, one per quantity, readable on white
array colour[8] = ['#1f4e9c', '#0b7a3e', '#b35806', '#6a3d9a', '#8c2d04', '#b2182b', '#c51b7d', '#4d4d4d']

# the y ranges come from the data, never from gnuplot's autoscale: one
# value alone (a short run) made it warn of an empty range.  from0(c):
# 0 to a little above the largest; around(c, axis): the values' span
# with a margin (coverage, far from 0).  (stats obeys a set range: each
# first lets go of the last panel's)
from0(c) = sprintf('set yrange [*:*]; stats series using %d nooutput; set yrange [0:(STATS_max > 0 ? STATS_max * 1.08 : 1)]', c)
around(c, ax) = sprintf('set yrange [*:*]; stats series using %d nooutput; pad = STATS_max > STATS_min ? 0.06 * (STATS_max - STATS_min) : (STATS_max > 0 ? 0.05 * STATS_max : 1); set %srange [STATS_min - pad:STATS_max + pad]', c, ax)
# the top of a count's axis: at least 1, room above the largest
fmax(m) = m < 1 ? 1 : m * 1.15 + 0.5
# a panel at column c (0, 1), row r (0, 1, 2 from the top), or the whole
# row when w = 2
top = 0.95
ph = top / 3
panel(c, r, w) = sprintf('set origin %f, %f; set size %f, %f', 0.5 * c, top - ph * (r + 1), 0.5 * w, ph)
# a panel for a quantity the engine never reported: a note and an empty
# axis (plotting the column itself would warn of no valid points)
none(what) = sprintf("set label 1 '%s: not reported by the engine yet' at graph 0.5, 0.5 center; set yrange [0:1]; plot -1; unset label 1", what)

set multiplot title ARG3
set lmargin 10
set rmargin 10

eval panel(0, 0, 1)
set title 'execs (total)'
if (n_execs == 0) { eval none('execs') } else { if (late) { eval late_note }; eval from0(3); plot series using 2:3 lc rgb colour[1] pt 7 }

eval panel(1, 0, 1)
set title 'execs/s (nothing drawn before the engine reports it)'
if (n_rate == 0) { eval none('execs/s') } else { eval from0(4); plot series using 2:4 lc rgb colour[2] pt 7 }
unset label 2

eval panel(0, 1, 1)
if (n_cov > 0 && n_ft > 0) {
  # no key (it would sit on a line or on the axis label): the title and
  # the axis labels, in their lines' colours, say which is which; set
  # both ranges padded (set offsets do not reach the y2 axis)
  set title 'coverage: edges (dots, left axis) and features (dashed, squares, right axis)'
  set ylabel 'edges' tc rgb colour[3]
  set y2label 'features' tc rgb colour[4]
  set ytics nomirror
  set y2tics
  # (y2 first: stats obeys the y range, and around() lets go of it)
  eval around(8, 'y2')
  eval around(5, 'y')
  # each on its own padded span, two curves of one shape lie on each
  # other: features dashed, hollow and larger, over the edges
  plot series using 2:5 axes x1y1 lc rgb colour[3] pt 7, \
       series using 2:8 axes x1y2 lc rgb colour[4] pt 4 ps 1.3 dt 2
  unset y2tics
  set ytics mirror
  unset ylabel
  unset y2label
} else {
  if (n_cov > 0) {
    set title 'coverage: edges'
    eval around(5, 'y')
    plot series using 2:5 lc rgb colour[3] pt 7
  } else {
    if (n_ft > 0) {
      set title "coverage: libFuzzer's features (its -fork mode reports no edges)"
      eval around(8, 'y')
      plot series using 2:8 lc rgb colour[4] pt 5
    } else {
      set title 'coverage'
      eval none('coverage')
    }
  }
}

eval panel(1, 1, 1)
set title 'corpus entries'
if (n_corpus == 0) { eval none('corpus') } else { eval from0(6); plot series using 2:6 lc rgb colour[5] pt 7 }

# findings: small whole numbers on an axis of their own, from 0, steps
eval panel(0, 2, has_flaky ? 1 : 2)
set title 'findings (signatures filed, all runs)'
# from a little below 0: a line at 0 findings is seen, not hidden in the axis
set yrange [-0.05 * fmax(max_findings):fmax(max_findings)]
set ytics 1
if (max_findings > 10) { set ytics autofreq }
# (points too: a single row draws no step)
plot series using 2:7 with steps lw 2 lc rgb colour[7], series using 2:7 with points pt 7 lc rgb colour[7]
set ytics autofreq

if (has_flaky) {
  eval panel(1, 2, 1)
  set title 'kernel engine: flaky inputs (all runs)'
  set yrange [-0.05 * fmax(max_flaky):fmax(max_flaky)]
  if (max_flaky <= 10) { set ytics 1 }
  plot series using 2:9 with steps lw 2 lc rgb colour[8], series using 2:9 with points pt 7 lc rgb colour[8]
  set ytics autofreq
}
unset multiplot
