# funnel.gp - the sales funnel realised over the horizon, source by source:
# cold prospects, referred prospects and old clients, and all of them
# together.  Each funnel is calls, contacts, appointments set, meetings
# held and cases, with its ratios written the way the sources write them
# (10:7:3:1: calls : contacts : appointments set : cases, each per case, the
# last stage 1) above the scenario's own funnel for that source, and the
# meetings held per case.
#
#   gnuplot -c plots/funnel.gp RUN_DIR OUT_FILE
#
# Each stage is the sum over the months of its monthly mean (= the mean
# over replications of the horizon total), from the per-source columns of
# monthly.csv (calls_cold, contacts_cold, ..., cases_repeat).  The
# scenario's funnels are funnel.cold, .referral and .old_client of
# RUN_DIR/scenario.yaml, normalised to a last stage of 1.  A source
# without calls says so instead of ratios.
kpi_script = "funnel.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c funnel.gp RUN_DIR OUT_FILE"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

# The panels (all sources, cold, referral, old clients) and, for each,
# its columns stage by stage: calls, contacts, appointments set, meetings
# held, cases.
npanel = 4
nstage = 5
cols = "calls contacts appointments meetings cases " . \
    "calls_cold contacts_cold appointments_cold meetings_cold cases_cold " . \
    "calls_referral contacts_referral appointments_referral meetings_referral cases_referral " . \
    "calls_to_clients contacts_clients appointments_clients meetings_clients cases_repeat"
array pname[npanel] = ["All sources", "Cold prospects", "Referred prospects", "Old clients"]
array pcolour[npanel]
pcolour[1] = "#4d4d4d"
pcolour[2] = kpi_colour[1]
pcolour[3] = kpi_colour[3]
pcolour[4] = kpi_colour[2]

kpi_file = kpi_dir . "/monthly.csv"
kpi_want = "month"
do for [i = 1:words(cols)] { kpi_want = kpi_want . " " . word(cols, i) . "_mean" }
@kpi_require

array v[npanel * nstage]
do for [i = 1:npanel * nstage] {
    stats kpi_file using (column(word(cols, i) . "_mean")) nooutput
    v[i] = STATS_sum
}
val(p, s) = v[(p - 1) * nstage + s]
if (val(1, 1) <= 0) {
    print kpi_script . ": nothing to show: no calls in any month"
    exit status kpi_skip_status
}

# "12.7 : 8.9 : 3.8 : 1": calls, contacts and appointments set per case,
# like with like against the plan (whose third stage is the appointments
# set, docs/model.md "Funnels"); the meetings held per case on a line of
# their own (appointments that expire unheld are the difference).
r1(x, c) = c > 0 ? (x / c >= 99.95 ? sprintf("%.0f", x / c) : sprintf("%.1f", x / c)) : "-"
ratio(p) = val(p, 1) <= 0 ? "no calls" : (val(p, 5) <= 0 ? "no cases" : \
    sprintf("%s : %s : %s : 1", r1(val(p, 1), val(p, 5)), r1(val(p, 2), val(p, 5)), \
    r1(val(p, 3), val(p, 5))))
held(p) = val(p, 1) <= 0 || val(p, 5) <= 0 ? "" : \
    sprintf("meetings held: %s a case", r1(val(p, 4), val(p, 5)))

# The scenario's funnels, from the funnel: section of scenario.yaml, as
# "10 : 7 : 3 : 1" (divided by the last stage when it is not 1).
kpi_yaml_sub(f, sec, key) = kpi_unquote(system("sed -n '/^" . sec . ":/,/^[^ ]/s/^  " . key . \
    ": *//p' " . kpi_shq(f) . " 2>/dev/null | head -n 1"))
blanks(s) = (kpi_c_ = strstrt(s, ":")) == 0 ? s : s[1:kpi_c_ - 1] . " " . blanks(s[kpi_c_ + 1:])
pstage(s, i) = word(blanks(s), i) + 0.0
pnum(x) = abs(x - floor(x + 0.5)) < 0.005 ? sprintf("%.0f", x) : \
    (abs(10 * x - floor(10 * x + 0.5)) < 0.05 ? sprintf("%.1f", x) : sprintf("%.2f", x))
pnorm(s, i) = pnum(pstage(s, i) / pstage(s, 4))
planned(s) = s eq "" ? "" : (words(blanks(s)) != 4 || pstage(s, 4) <= 0 ? "planned " . s : \
    sprintf("planned %s : %s : %s : 1", pnorm(s, 1), pnorm(s, 2), pnorm(s, 3)))
sf = kpi_dir . "/scenario.yaml"
array plan[npanel]
plan[1] = "the three sources together"
plan[2] = planned(kpi_yaml_sub(sf, "funnel", "cold"))
plan[3] = planned(kpi_yaml_sub(sf, "funnel", "referral"))
plan[4] = planned(kpi_yaml_sub(sf, "funnel", "old_client"))

title = kpi_title_of(kpi_dir, kpi_basename(kpi_dir))
reps = kpi_yaml(sf, "replications")
months = kpi_yaml(sf, "months")

# One row per panel and stage: panel, position (calls at the top), count,
# count as a share of the panel's widest bar, the count as written.
array pmax[npanel]
do for [p = 1:npanel] {
    pmax[p] = 0
    do for [s = 1:nstage] { pmax[p] = val(p, s) > pmax[p] ? val(p, s) : pmax[p] }
}
set datafile nocolumnheaders
set print $F
do for [p = 1:npanel] {
    do for [s = 1:nstage] {
        print sprintf("%d,%d,%.17g,%.17g,%s", p, nstage + 1 - s, val(p, s), \
            pmax[p] > 0 ? val(p, s) / pmax[p] : 0, kpi_num(val(p, s)))
    }
}
unset print

# The panels side by side, the stage names left of the first.
pan_l = 0.145
pan_r = 0.985
gap = 0.03
pw = (pan_r - pan_l - (npanel - 1) * gap) / npanel
pleft(p) = pan_l + (p - 1) * (pw + gap)
pmid(p) = pleft(p) + pw / 2
# A count is written inside its bar when the bar is wide enough, else
# to its right.
inside = 0.4

@kpi_open
set multiplot
set label 1 title at screen 0.5, screen 0.955 center font kpi_title_font_for(title) textcolor rgb kpi_ink
set label 2 sprintf("The funnel of each source over %s (mean of the replications), realised and as the scenario plans it", \
    months eq "" ? "the months" : (months eq "1" ? "one month" : months . " months")) \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 sprintf("kpisim  %s%s", kpi_reps(reps), kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
set label 4 "Ratios per case: calls : contacts : appointments set : cases, as the plan writes them.  " . \
    "Each funnel on its own scale (its calls the full width)." \
    at screen 0.5, screen 0.065 center font kpi_font . ",13" textcolor rgb kpi_grey
do for [p = 1:npanel] {
    set label 10 + 3 * p pname[p] at screen pmid(p), screen 0.835 center \
        font kpi_font . ",17" textcolor rgb pcolour[p]
    set label 11 + 3 * p ratio(p) at screen pmid(p), screen 0.78 center \
        font kpi_font . ",19" textcolor rgb kpi_ink
    set label 12 + 3 * p plan[p] at screen pmid(p), screen 0.738 center \
        font kpi_font . ",14" textcolor rgb kpi_grey
    set label 40 + p held(p) at screen pmid(p), screen 0.700 center \
        font kpi_font . ",14" textcolor rgb kpi_grey
}
unset key
unset grid
set border 0
unset xtics
set ytics scale 0 font kpi_font . ",15"
set ytics ("Calls" 5, "Contacts" 4, "Appointments set" 3, "Meetings held" 2, "Cases" 1)
set style fill solid 1.0 noborder
set tmargin at screen 0.67
set bmargin at screen 0.12
set yrange [0.5:5.5]
set offsets 0, 0, 0, 0

do for [p = 1:npanel] {
    set lmargin at screen pleft(p)
    set rmargin at screen pleft(p) + pw
    w = pmax[p] > 0 ? pmax[p] : 1
    set xrange [-0.5 * w:0.5 * w]
    if (val(p, 1) > 0 || val(p, 5) > 0) {
        plot $F using ($1 == p ? 0 : NaN):2:($3 / 2):(0.38) with boxxyerror \
                 fillcolor rgb pcolour[p], \
             $F using ($1 == p && $4 >= inside ? 0 : NaN):2:5 with labels center \
                 textcolor rgb "white" font kpi_font . ",14", \
             $F using ($1 == p && $4 < inside ? $3 / 2 : NaN):2:5 with labels left \
                 offset 0.5, 0 textcolor rgb kpi_ink font kpi_font . ",14"
    } else {
        # Nothing to draw: the ratio line says "no calls".
        plot NaN
    }
    if (p == 1) {
        unset ytics
        unset label
    }
}
unset multiplot
