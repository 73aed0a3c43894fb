# funnel.gp - the sales funnel realised over the horizon: calls, contacts,
# appointments, meetings and cases, with the ratios written the way the
# sources write them (10:7:3:1, the last stage 1), and what can be told by
# source: calls to new prospects and to old clients, and the cases of each.
#
#   gnuplot -c plots/funnel.gp RUN_DIR OUT_FILE
#
# Each stage is the sum over the months of its monthly mean (= the mean
# over replications of the horizon total).  monthly.csv splits calls
# (calls_to_clients: to old clients; the rest: to cold and referred
# prospects) and cases (cases_cold, cases_referral, cases_repeat) by
# source, not contacts, appointments or meetings, so the full funnel is
# drawn for all sources together and the by-source view is calls : cases.
# The scenario's own funnels (funnel.cold, .referral, .old_client in
# RUN_DIR/scenario.yaml) are printed beside them for comparison.
kpi_script = "funnel.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c funnel.gp RUN_DIR OUT_FILE"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

kpi_file = kpi_dir . "/monthly.csv"
stages = "calls contacts appointments meetings cases"
kpi_want = "month calls_to_clients_mean cases_cold_mean cases_referral_mean cases_repeat_mean"
do for [k in stages] { kpi_want = kpi_want . " " . k . "_mean" }
@kpi_require

array total[5]
do for [i = 1:5] {
    stats kpi_file using (column(word(stages, i) . "_mean")) nooutput
    total[i] = STATS_sum
}
stats kpi_file using (column("calls_to_clients_mean")) nooutput
calls_clients = STATS_sum
calls_prospects = total[1] - calls_clients
stats kpi_file using (column("cases_cold_mean")) nooutput
cases_cold = STATS_sum
stats kpi_file using (column("cases_referral_mean")) nooutput
cases_ref = STATS_sum
stats kpi_file using (column("cases_repeat_mean")) nooutput
cases_rep = STATS_sum
cases_new = cases_cold + cases_ref

# "10.2 : 7.1 : 3.0 : 1": each stage per case.
r1(x, c) = c > 0 ? (x / c >= 100 ? sprintf("%.0f", x / c) : sprintf("%.1f", x / c)) : "-"
ratio_all = total[5] > 0 ? sprintf("%s : %s : %s : %s : 1", r1(total[1], total[5]), \
    r1(total[2], total[5]), r1(total[3], total[5]), r1(total[4], total[5])) : "no cases"
ratio_new = cases_new > 0 ? r1(calls_prospects, cases_new) . " : 1" : "no cases"
ratio_old = cases_rep > 0 ? r1(calls_clients, cases_rep) . " : 1" : "no cases"

# The scenario's funnels, from the funnel: section of scenario.yaml.
kpi_yaml_sub(f, sec, key) = kpi_unquote(system("sed -n '/^" . sec . ":/,/^[^ ]/s/^  " . key . \
    ": *//p' " . kpi_shq(f) . " 2>/dev/null | head -n 1"))
sf = kpi_dir . "/scenario.yaml"
f_cold = kpi_yaml_sub(sf, "funnel", "cold")
f_ref = kpi_yaml_sub(sf, "funnel", "referral")
f_old = kpi_yaml_sub(sf, "funnel", "old_client")
planned = f_cold ne "" ? sprintf("The scenario's funnels (prospects : contacts : meetings : sales):  cold %s,  referral %s,  old clients %s", f_cold, f_ref, f_old) : ""

title = kpi_title_of(kpi_dir, kpi_basename(kpi_dir))
reps = kpi_yaml(kpi_dir . "/scenario.yaml", "replications")
months = kpi_yaml(kpi_dir . "/scenario.yaml", "months")

set datafile nocolumnheaders
set print $F
print sprintf("5,Calls,%.17g", total[1])
print sprintf("4,Contacts,%.17g", total[2])
print sprintf("3,Appointments set,%.17g", total[3])
print sprintf("2,Meetings held,%.17g", total[4])
print sprintf("1,Cases,%.17g", total[5])
unset print
set print $S
# position, label, value, label on the bar, cold cases (the blue part)
print sprintf("5.6,Calls,%.17g,%s,0", calls_prospects, kpi_num(calls_prospects))
print sprintf("4.6,Cases,%.17g,%s (cold %s + referral %s),%.17g", cases_new, kpi_num(cases_new), \
    kpi_num(cases_cold), kpi_num(cases_ref), cases_cold)
print sprintf("2.4,Calls,%.17g,%s,0", calls_clients, kpi_num(calls_clients))
print sprintf("1.4,Cases,%.17g,%s,0", cases_rep, kpi_num(cases_rep))
unset print

@kpi_open
set multiplot
set label 1 title at screen 0.5, screen 0.955 center font kpi_title_font_for(title) textcolor rgb kpi_ink
set label 2 sprintf("The funnel over %s months (mean of the replications), and the ratios written as the sources write them", \
    months ne "" ? months : "the") \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 sprintf("kpisim  %s%s", kpi_reps(reps), kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
set label 4 planned at screen 0.5, screen 0.075 center font kpi_sub_font textcolor rgb kpi_ink
unset key
unset grid
set border 0
unset xtics
set ytics scale 0 font kpi_font . ",15"
set style fill solid 1.0 noborder

# Left: all sources, a centred funnel.
set lmargin at screen 0.15
set rmargin at screen 0.56
set tmargin at screen 0.76
set bmargin at screen 0.16
set title "All sources:  " . ratio_all font kpi_font . ",18" textcolor rgb kpi_median offset 0, 1
wmax = total[1] > 0 ? total[1] : 1
set xrange [-0.5 * wmax * 1.02:0.5 * wmax * 1.25]
set yrange [0.4:5.6]
set offsets 0, 0, 0, 0
plot $F using (0):1:($3 / 2):(0.38):ytic(2) with boxxyerror fillcolor rgb kpi_median, \
     $F using ($3 / 2):1:(kpi_num($3)) with labels left offset 0.8, 0 textcolor rgb kpi_ink \
         font kpi_font . ",15"

unset label
unset title
# Right: by source, calls against cases.
set lmargin at screen 0.66
set rmargin at screen 0.95
set title "By source: calls : cases" font kpi_font . ",18" textcolor rgb kpi_ink offset 0, 1
smax = (calls_prospects > calls_clients ? calls_prospects : calls_clients)
smax = smax > 0 ? smax : 1
set xrange [0:smax * 1.3]
set yrange [0.4:7]
set label 11 "New prospects (cold, referral):  " . ratio_new at first 0, first 6.45 left \
    font kpi_font . ",15" textcolor rgb kpi_colour[1]
set label 12 "Old clients (repeat):  " . ratio_old at first 0, first 3.25 left \
    font kpi_font . ",15" textcolor rgb kpi_colour[2]
plot $S using ($3 / 2):1:($3 / 2):(0.36):ytic(2) with boxxyerror fillcolor rgb "#9e9e9e", \
     $S using ($5 / 2):1:($5 / 2):(0.36) with boxxyerror fillcolor rgb kpi_colour[1], \
     $S using (($3 - $5) / 2 + $5):1:(($3 - $5) / 2):(0.36) every ::1::1 with boxxyerror \
         fillcolor rgb kpi_colour[3], \
     $S using (($3 - $5) / 2 + $5):1:(($3 - $5) / 2):(0.36) every ::3::3 with boxxyerror \
         fillcolor rgb kpi_colour[2], \
     $S using ($3):1:4 with labels left offset 0.6, 0 font kpi_font . ",14" \
         textcolor rgb kpi_ink
unset multiplot
