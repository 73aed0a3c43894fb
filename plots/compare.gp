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
    # The legend holds the left half: a longer title is cut.
    title[i] = strlen(title[i]) <= 70 ? title[i] : title[i][1:69] . "…"
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
# names (the legend has the titles), else "N scenarios compared".
joined = title[1]
do for [i = 2:n] { joined = joined . "  vs  " . title[i] }
short = word(names, 1)
do for [i = 2:n] { short = short . "  vs  " . word(names, i) }
head = strlen(joined) <= 80 ? joined : (strlen(short) <= 80 ? short : sprintf("%d scenarios compared", n))
reps = kpi_yaml(kpi_dir . "/" . word(names, 1) . "/scenario.yaml", "replications")
# The baseline as the difference panel names it: its name, cut to fit the
# panel's width with an ellipsis.
kpi_cut(s, w) = strlen(s) <= w ? s : s[1:w - 1] . "…"
base = kpi_cut(word(names, 1), 22)
@kpi_open
set multiplot
set label 1 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
set label 2 sprintf("%s: each scenario's median and 90%% band; right, the difference from the first", \
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
@kpi_set_x
# A level starts at zero, so that the gap between the scenarios looks as large
# as it is; a share runs from 0 to 100%.
kpi_lo = kpi_is_share(kpi) ? 0 : lo
kpi_hi = kpi_is_share(kpi) ? 100 : hi
kpi_zero = 1
kpi_pct = kpi_is_share(kpi)
@kpi_set_y
sc = sc / kpi_yu
set key at screen 0.06, screen 0.22 left top vertical reverse Left samplen 2.5 \
    maxrows 4 font kpi_font . ",13"
# Each scenario in its own colour: its 90% band lightly shaded and outlined
# by dashed lines of that colour, so that overlapping bands stay apart; its
# median a solid line.  Short runs: a box with whiskers per scenario, side
# by side.
if (kpi_is_short(m1, m2)) {
    dx(i) = (i - (n + 1) / 2.0) * 0.5 / n
    plot for [i = 1:n] mf(i) using ($1 + dx(i)):(column(kpi . "_p50") * sc):\
             (column(kpi . "_p05") * sc):(column(kpi . "_p95") * sc) with yerrorbars \
             linewidth 3 linecolor rgb kpi_col(i) pointtype 7 pointsize 1.5 title title[i], \
         keyentry with yerrorbars linewidth 3 linecolor rgb kpi_grey pointtype 7 pointsize 1.5 \
             title "dot: median; bar: 90% of the replications"
} else {
    plot for [i = 1:n] mf(i) using "month":(column(kpi . "_p05") * sc):(column(kpi . "_p95") * sc) \
             with filledcurves fillcolor rgb kpi_col(i) \
             fillstyle transparent solid (n > 2 ? 0.10 : 0.16) noborder notitle, \
         for [i = 1:n] mf(i) using "month":(column(kpi . "_p05") * sc) with lines \
             linewidth 1.5 dashtype 2 linecolor rgb kpi_col(i) notitle, \
         for [i = 1:n] mf(i) using "month":(column(kpi . "_p95") * sc) with lines \
             linewidth 1.5 dashtype 2 linecolor rgb kpi_col(i) notitle, \
         for [i = 1:n] mf(i) using "month":(column(kpi . "_p50") * sc) with lines linewidth 3.5 \
             linecolor rgb kpi_col(i) title title[i], \
         keyentry with lines linewidth 1.5 dashtype 2 linecolor rgb kpi_grey \
             title "dashed: the edges of each one's 90% band"
}
unset label

# Right: the paired differences of the figure, one row per scenario after
# the baseline.
set lmargin at screen 0.72
set rmargin at screen 0.97
set label 4 sprintf("%s:\ndifference from %s,\nreplication by replication", kpi_figure_label(fig), \
    base) at screen 0.845, screen 0.865 center font kpi_font . ",14" textcolor rgb kpi_ink
fsc = kpi_scale(fig)
dv(s, i) = word(s, i) + 0.0
# P(higher) is empty (NaN) when the scenario never differs from the baseline:
# the same in every replication, not "higher in 0%".
p_text(i) = dv(p_hi, i) == dv(p_hi, i) ? sprintf("higher in %.0f%% of the replications", \
    100 * dv(p_hi, i)) : "the same in every replication"
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
# About four tics, with the decimals their step needs.
dstep = kpi_nice((dhi - dlo + 2 * dpad) / 4.0)
set xtics dstep
set format x kpi_tick_format(dhi > -dlo ? dhi : dlo, dstep) . (kpi_is_share(fig) ? "%%" : "")
set format y "%g"
set ytics scale 0
set grid xtics noytics
set border 1
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead linewidth 1.5 linecolor rgb kpi_ink
set key at screen 0.62, screen 0.195 left top vertical reverse Left samplen 1.5 maxrows 4 \
    font kpi_font . ",13"
set datafile nocolumnheaders
set print $D
do for [i = 2:n] {
    print sprintf("%d,%s,%.17g,%.17g,%.17g", n + 1 - i, kpi_cut(word(names, i), 16), dv(d_mean, i) * fsc, \
        dv(d_p05, i) * fsc, dv(d_p95, i) * fsc)
}
unset print
if (n == 1) {
    set label 5 "one scenario: nothing to compare" at graph 0.5, graph 0.5 center
    plot NaN notitle
} else {
    plot for [i = 2:n] $D every ::(i - 2)::(i - 2) using (($4 + $5) / 2):1:(($5 - $4) / 2):(0.18):ytic(2) \
             with boxxyerror fillcolor rgb kpi_col(i) fillstyle solid 0.55 border rgb kpi_col(i) \
             title sprintf("%s: %s%s on average,\n%s", kpi_cut(word(names, i), 16), \
                 dv(d_mean, i) > 0 ? "+" : "", kpi_num(dv(d_mean, i) * fsc), p_text(i)), \
         for [i = 2:n] $D every ::(i - 2)::(i - 2) using 3:1 with points pointtype 7 \
             pointsize 2 linecolor rgb kpi_ink notitle
}
unset multiplot
