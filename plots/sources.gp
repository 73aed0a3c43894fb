# sources.gp - where the cases come from, month by month: cold prospects,
# referred prospects and old clients (repeat sales) as stacked columns,
# with the repeat share on the right-hand axis.
#
#   gnuplot -c plots/sources.gp RUN_DIR OUT_FILE
#
# The columns are the means across replications of cases_cold,
# cases_referral and cases_repeat (means add up: the stack is the mean of
# cases); the line is the mean of repeat_share = cases_repeat / cases, with
# its 90% band as error bars.  Columns are read from RUN_DIR/monthly.csv by
# name.
kpi_script = "sources.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c sources.gp RUN_DIR OUT_FILE"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

kpi_file = kpi_dir . "/monthly.csv"
kpi_want = "month cases_cold_mean cases_referral_mean cases_repeat_mean cases_mean " . \
           "repeat_share_mean repeat_share_p05 repeat_share_p95"
@kpi_require

stats kpi_file using (column("month")) nooutput
m1 = STATS_min
m2 = STATS_max
stats kpi_file using (column("cases_cold_mean") + column("cases_referral_mean") + \
                      column("cases_repeat_mean")) nooutput
top = STATS_max
stats kpi_file using (column("repeat_share_p95") * 100) nooutput
share_top = STATS_max
# Horizon totals, for the legend.
stats kpi_file using (column("cases_cold_mean")) nooutput
n_cold = STATS_sum
stats kpi_file using (column("cases_referral_mean")) nooutput
n_ref = STATS_sum
stats kpi_file using (column("cases_repeat_mean")) nooutput
n_rep = STATS_sum
n_all = n_cold + n_ref + n_rep
if (n_all <= 0) {
    print kpi_script . ": nothing to show: no cases in any month"
    exit status kpi_skip_status
}
pct(x) = n_all > 0 ? sprintf("%.0f%%", 100 * x / n_all) : "0%"

@kpi_open
title = kpi_title_of(kpi_dir, kpi_basename(kpi_dir))
reps = kpi_yaml(kpi_dir . "/scenario.yaml", "replications")
set label 10 title at screen 0.5, screen 0.955 center font kpi_title_font_for(title) textcolor rgb kpi_ink
set label 1 "Cases per month by source (mean of the replications); in purple, the share of repeat sales with its 90% band" \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 2 sprintf("kpisim  %s%s", kpi_reps(reps), kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
set tmargin at screen 0.85
set bmargin at screen 0.19
set lmargin at screen 0.09
set rmargin at screen 0.91

set xlabel "Month" textcolor rgb kpi_ink
set ylabel "Cases per month" textcolor rgb kpi_ink
set y2label "Repeat share (% of cases)" textcolor rgb "#5b1a5e"
set xrange [m1 - 0.6:m2 + 0.6]
if (kpi_is_short(m1, m2)) { set xtics m1, 1, m2 } else { set xtics kpi_months(m1, m2) }
kpi_lo = 0
kpi_hi = top * 1.08
kpi_zero = 1
kpi_pct = 0
@kpi_set_y
cs = 1.0 / kpi_yu
s_hi = share_top > 0 ? share_top * 1.25 : 10
set y2range [0:(s_hi > 100 ? 100 : s_hi)]
set y2tics nomirror textcolor rgb "#5b1a5e"
set format y2 "%g%%"
# In months: a run of one month has no neighbour to be relative to.
set boxwidth (kpi_is_short(m1, m2) ? 0.5 : 0.75) absolute
set style fill solid 1.0 border rgb "white"
set key at screen 0.5, screen 0.04 center center horizontal maxrows 1 reverse Left samplen 2 width 1

# Stacked by drawing each total over the one below: all three sources,
# then cold + referral, then cold.
share_ink = "#5b1a5e"
plot kpi_file using "month":((column("cases_cold_mean") + column("cases_referral_mean") + \
         column("cases_repeat_mean")) * cs) with boxes fillcolor rgb kpi_colour[2] notitle, \
     kpi_file using "month":((column("cases_cold_mean") + column("cases_referral_mean")) * cs) \
         with boxes fillcolor rgb kpi_colour[3] notitle, \
     kpi_file using "month":(column("cases_cold_mean") * cs) with boxes fillcolor rgb kpi_colour[1] \
         notitle, \
     kpi_file using "month":(column("repeat_share_mean") * 100):(column("repeat_share_p05") * 100):\
         (column("repeat_share_p95") * 100) axes x1y2 with yerrorlines linewidth 3 \
         linecolor rgb share_ink pointtype 7 pointsize 1.2 notitle, \
     keyentry with boxes fillcolor rgb kpi_colour[1] title "cold (" . pct(n_cold) . ")", \
     keyentry with boxes fillcolor rgb kpi_colour[3] title "referral (" . pct(n_ref) . ")", \
     keyentry with boxes fillcolor rgb kpi_colour[2] title "repeat (" . pct(n_rep) . ")", \
     keyentry with yerrorlines linewidth 3 linecolor rgb share_ink pointtype 7 pointsize 1.2 \
         title "repeat share"
