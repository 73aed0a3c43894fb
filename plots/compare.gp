# compare.gp - the scenarios of a `kpisim compare` on one chart: each one's
# fan of a KPI month by month (median and 90% band), and beside it the
# paired difference of the matching horizon figure against the first
# scenario (the baseline), with the probability that it is higher.
#
#   gnuplot -c plots/compare.gp COMPARE_DIR OUT_FILE [KPI [FIGURE]]
#
# KPI is a KPI of monthly.csv (default premium); FIGURE a horizon figure of
# comparison.csv (default: the one that goes with the KPI, total_premium for
# premium, final_headcount for headcount).  The scenarios are those of
# COMPARE_DIR/comparison.csv, in its order; each one's fan comes from
# COMPARE_DIR/NAME/monthly.csv and its title from COMPARE_DIR/NAME/scenario.yaml.
# The difference is drawn from comparison.csv: a bar from diff_p05 to
# diff_p95 (90% of the replications, paired on common random numbers), a
# dot at diff_mean, and P(higher) = p_higher in the legend.
kpi_script = "compare.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c compare.gp COMPARE_DIR OUT_FILE [KPI [FIGURE]]"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "premium"
fig = (ARGC >= 4 && ARG4 ne "") ? ARG4 : ""
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"
fig = fig ne "" ? fig : kpi_figure_of(kpi)

# The scenarios and their paired differences, from comparison.csv.
cmp = kpi_dir . "/comparison.csv"
kpi_file = cmp
kpi_want = "kind name scenario mean p05 p95 diff_mean diff_p05 diff_p95 p_higher"
@kpi_require
names = ""
d_mean = ""
d_p05 = ""
d_p95 = ""
p_hi = ""
stats cmp using ((strcol("kind") eq "figure" && strcol("name") eq fig) ? \
    (names = names . strcol("scenario") . " ", \
     d_mean = d_mean . sprintf("%.17g ", column("diff_mean")), \
     d_p05 = d_p05 . sprintf("%.17g ", column("diff_p05")), \
     d_p95 = d_p95 . sprintf("%.17g ", column("diff_p95")), \
     p_hi = p_hi . sprintf("%.17g ", column("p_higher")), 0) : 0) nooutput
n = words(names)
if (n == 0) {
    print kpi_fail(sprintf("%s: no figure \"%s\"", cmp, fig))
    exit status 1
}

# Each scenario's monthly.csv and title.
array title[n]
do for [i = 1:n] {
    kpi_file = kpi_dir . "/" . word(names, i) . "/monthly.csv"
    kpi_want = "month " . kpi . "_p05 " . kpi . "_p50 " . kpi . "_p95"
    @kpi_require
    title[i] = kpi_title_of(kpi_dir . "/" . word(names, i), word(names, i))
}
sc = kpi_scale(kpi)
set autoscale
hi = -1e308
lo = 1e308
m1 = 1e308
m2 = -1e308
do for [i = 1:n] {
    f = kpi_dir . "/" . word(names, i) . "/monthly.csv"
    stats f using (column(kpi . "_p95") * sc) nooutput
    hi = STATS_max > hi ? STATS_max : hi
    stats f using (column(kpi . "_p05") * sc) nooutput
    lo = STATS_min < lo ? STATS_min : lo
    stats f using (column("month")) nooutput
    m1 = STATS_min < m1 ? STATS_min : m1
    m2 = STATS_max > m2 ? STATS_max : m2
}
mf(i) = kpi_dir . "/" . word(names, i) . "/monthly.csv"

# The chart's title: the scenarios' titles when short enough, else their
# names (the legend has the titles).
joined = title[1]
do for [i = 2:n] { joined = joined . "  vs  " . title[i] }
short = word(names, 1)
do for [i = 2:n] { short = short . "  vs  " . word(names, i) }
head = strlen(joined) <= 80 ? joined : short
reps = kpi_yaml(kpi_dir . "/" . word(names, 1) . "/scenario.yaml", "replications")

@kpi_open
set multiplot
set label 1 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
set label 2 sprintf("%s: median and 90%% band of each scenario, and the paired difference", \
    kpi_label(kpi)) \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 sprintf("kpisim  %s%s", reps ne "" ? kpi_reps(reps) . "common random numbers, " : "", \
    kpi_basename(kpi_dir)) at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"

# Left: the fans.
set lmargin at screen 0.08
set rmargin at screen 0.58
set tmargin at screen 0.80
set bmargin at screen 0.34
set xlabel "Month" textcolor rgb kpi_ink
set ylabel kpi_label(kpi) textcolor rgb kpi_ink
if (m2 > m1) { set xrange [m1:m2] } else { set xrange [m1 - 0.5:m2 + 0.5] }
xstep = m2 - m1 <= 12 ? 1 : (m2 - m1 <= 36 ? 3 : (m2 - m1 <= 72 ? 6 : 12))
set xtics xstep
if (kpi_is_share(kpi)) {
    set yrange [0:100]
} else { if (hi > lo) {
    if (lo >= 0 && lo <= 0.4 * hi) { set yrange [0:*] } else { set autoscale y }
} else {
    set yrange [lo - 1 - abs(lo) * 0.1:hi + 1 + abs(hi) * 0.1]
} }
set format y kpi_axis_format(hi) . (kpi_is_share(kpi) ? "%%" : "")
set key at screen 0.06, screen 0.22 left top vertical reverse Left samplen 2.5 \
    maxrows 4 font kpi_font . ",13"
plot for [i = 1:n] mf(i) using "month":(column(kpi . "_p05") * sc):(column(kpi . "_p95") * sc) \
         with filledcurves fillcolor rgb kpi_col(i) fillstyle transparent solid (n > 2 ? 0.14 : 0.22) noborder \
         notitle, \
     for [i = 1:n] mf(i) using "month":(column(kpi . "_p50") * sc) with lines linewidth 3.5 \
         linecolor rgb kpi_col(i) title title[i]
unset label

# Right: the paired differences of the figure, one row per scenario after
# the baseline.
set lmargin at screen 0.72
set rmargin at screen 0.97
set label 4 sprintf("%s\nminus %s's, replication by replication", kpi_figure_label(fig), \
    word(names, 1)) at screen 0.845, screen 0.85 center font kpi_font . ",14" textcolor rgb kpi_ink
fsc = kpi_scale(fig)
dv(s, i) = word(s, i) + 0.0
dlo = 0
dhi = 0
do for [i = 2:n] {
    dlo = dv(d_p05, i) * fsc < dlo ? dv(d_p05, i) * fsc : dlo
    dhi = dv(d_p95, i) * fsc > dhi ? dv(d_p95, i) * fsc : dhi
}
dpad = (dhi - dlo) > 0 ? (dhi - dlo) * 0.12 : 1
set xrange [dlo - dpad:dhi + dpad]
set yrange [0.4:(n > 1 ? n - 0.4 : 1.6)]
set xlabel "difference (90% of replications, dot: mean)" textcolor rgb kpi_ink
unset ylabel
set format x kpi_axis_format(dhi > -dlo ? dhi : dlo) . (kpi_is_share(fig) ? "%%" : "")
set format y "%g"
# About four tics.
if (dhi - dlo > 0) { set xtics kpi_nice((dhi - dlo) / 4.0) } else { set xtics auto }
set ytics scale 0
set grid xtics noytics
set border 1
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead linewidth 1.5 linecolor rgb kpi_ink
set key at screen 0.62, screen 0.22 left top vertical reverse Left samplen 1.5 maxrows 4 \
    font kpi_font . ",13"
set datafile nocolumnheaders
set print $D
do for [i = 2:n] {
    print sprintf("%d,%s,%.17g,%.17g,%.17g", n + 1 - i, word(names, i), dv(d_mean, i) * fsc, \
        dv(d_p05, i) * fsc, dv(d_p95, i) * fsc)
}
unset print
if (n == 1) {
    set label 5 "one scenario: nothing to compare" at graph 0.5, graph 0.5 center
    plot NaN notitle
} else {
    plot for [i = 2:n] $D every ::(i - 2)::(i - 2) using (($4 + $5) / 2):1:(($5 - $4) / 2):(0.18):ytic(2) \
             with boxxyerror fillcolor rgb kpi_col(i) fillstyle solid 0.55 border rgb kpi_col(i) \
             title sprintf("%s: %s%s on average, P(higher) %.0f%%", word(names, i), \
                 dv(d_mean, i) > 0 ? "+" : "", kpi_num(dv(d_mean, i) * fsc), 100 * dv(p_hi, i)), \
         for [i = 2:n] $D every ::(i - 2)::(i - 2) using 3:1 with points pointtype 7 \
             pointsize 2 linecolor rgb kpi_ink notitle
}
unset multiplot
