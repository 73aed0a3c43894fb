#!/usr/bin/python3
"""bench/peer_numpy.py - the NumPy yardstick of kpisim's activity core (issue 18).

    /usr/bin/python3 bench/peer_numpy.py [-n REPS] [--seed S] [--csv FILE] [--set KEY=VALUE ...]

kpisim's ACTIVITY CORE law (docs/model.md, "A working day of one agent"),
written from the documentation the way an analyst would write it in NumPy:
vectorised over replications x agents, a Python loop over the days.  The same
numbers as scenarios/bench/peer.yaml (PARAMS below mirrors that file key by
key; --set changes one, with the scenario's dotted key).

Per agent, once: compliance ~ Beta(mean compliance, sd compliance_sd), skill ~
lognormal(mean 1, sd skill_sd).  Per month and replication, team-wide: mood ~
lognormal(mean 1, sd mood_sd).  Per agent-day:
  on-plan with probability = compliance; effort 1 on-plan, off_plan_effort off;
  calls ~ Poisson(calls_per_day x mood x effort);
  contacts ~ Bin(calls, contacts/prospects), appointments ~ Bin(contacts,
  meetings/contacts) of the cold funnel;
  an appointment set on day t can be held on days t+1 .. t+E; each day the agent
  holds up to its capacity (visits_per_day, x off_plan_effort off-plan; a
  fractional capacity rounds up with probability equal to its fraction),
  oldest first; those still unheld at the end of day t+E are lost;
  cases ~ Bin(held, min(1, sales/meetings x skill x ramp));
  each case's premium ~ lognormal(mean premium.mean, cv premium.cv), rounded to
  whole cents.
No client book, no referrals, no recruits, no exits, no events, no assessment.
The ramp factor is ramp_start + (1 - ramp_start) x min(tenure / ramp_months, 1)
with the tenure of the month (initial_tenure_months, + 1 a month).

Prints the wall time of the simulation and, per month, the mean across
replications of calls, appointments, meetings, appointments_lost, cases,
premium and active_agents with its standard error (sd / sqrt(n), sd with the
n - 1 denominator); --csv FILE writes month, then KPI_mean, KPI_sd, KPI_se per
KPI.  Needs only NumPy (Debian's python3-numpy; make bench installs it).
"""

import argparse
import math
import sys
import time

import numpy as np

# The numbers of scenarios/bench/peer.yaml, by its dotted keys.
PARAMS = {
    "months": 12,
    "working_days": 22,
    "replications": 500,
    "seed": 1,
    "team.headcount": 50,
    "team.initial_tenure_months": 24,
    "team.skill_sd": 0.25,
    "team.ramp_start": 0.3,
    "team.ramp_months": 6,
    "activity.calls_per_day": 10,
    "activity.visits_per_day": 3,
    "activity.compliance": 0.8,
    "activity.compliance_sd": 0.1,
    "activity.off_plan_effort": 0.3,
    "activity.mood_sd": 0.05,
    "activity.appointment_expiry_days": 5,
    "funnel.cold": "10:7:3:1",
    "premium.mean": 5000,
    "premium.cv": 0.8,
}

KPIS = ("calls", "appointments", "meetings", "appointments_lost", "cases",
        "premium", "active_agents")


def lognormal_mean_sd(mean, sd):
    """(mu, sigma) of the lognormal law with this mean and standard deviation."""
    s2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - s2 / 2, math.sqrt(s2)


def beta_mean_sd(rng, mean, sd, size):
    """Beta draws with this mean and sd; all equal to the mean when sd is 0."""
    if sd == 0 or mean in (0.0, 1.0):
        return np.full(size, float(mean))
    k = mean * (1 - mean) / sd ** 2 - 1
    if k <= 0:
        sys.exit("peer_numpy: compliance_sd^2 must be < compliance x (1 - compliance)")
    return rng.beta(mean * k, (1 - mean) * k, size)


def lognormal_mean1(rng, sd, size):
    """Lognormal draws with mean 1 and standard deviation sd (1 when sd is 0)."""
    if sd == 0:
        return np.ones(size)
    mu, sigma = lognormal_mean_sd(1.0, sd)
    return rng.lognormal(mu, sigma, size)


def simulate(p, reps, seed):
    """Per-replication monthly KPIs: a dict KPI -> array (months, reps)."""
    rng = np.random.default_rng(seed)
    R, A = reps, int(p["team.headcount"])
    M, D = int(p["months"]), int(p["working_days"])
    E = int(p["activity.appointment_expiry_days"])
    cpd = float(p["activity.calls_per_day"])
    vpd = float(p["activity.visits_per_day"])
    off = float(p["activity.off_plan_effort"])
    prospects, contacts, meetings, sales = (float(x) for x in str(p["funnel.cold"]).split(":"))
    p_contact, p_meet, p_sale = contacts / prospects, meetings / contacts, sales / meetings

    compliance = beta_mean_sd(rng, float(p["activity.compliance"]),
                              float(p["activity.compliance_sd"]), (R, A))
    skill = lognormal_mean1(rng, float(p["team.skill_sd"]), (R, A))
    prem_mu, prem_sigma = lognormal_mean_sd(float(p["premium.mean"]),
                                            float(p["premium.cv"]) * float(p["premium.mean"]))

    # Visit capacity: whole part, and the fraction rounded up at random.
    cap_on, cap_off = vpd, vpd * off
    on_whole, on_frac = math.floor(cap_on), cap_on - math.floor(cap_on)
    off_whole, off_frac = math.floor(cap_off), cap_off - math.floor(cap_off)

    # backlog[k]: appointments set k + 1 working days ago, still unheld.
    backlog = np.zeros((E, R, A), dtype=np.int64)
    rep_index = np.arange(R)
    out = {k: np.zeros((M, R)) for k in KPIS}

    for m in range(M):
        tenure = int(p["team.initial_tenure_months"]) + m
        ramp_months = float(p["team.ramp_months"])
        ramp_start = float(p["team.ramp_start"])
        ramp = 1.0 if ramp_months == 0 else \
            ramp_start + (1 - ramp_start) * min(tenure / ramp_months, 1.0)
        p_case = np.minimum(1.0, p_sale * skill * ramp)
        mood = lognormal_mean1(rng, float(p["activity.mood_sd"]), R)[:, None]
        lam_on = cpd * mood
        cases_month = np.zeros((R, A), dtype=np.int64)
        calls_m = appts_m = held_m = lost_m = 0
        for _ in range(D):
            on = rng.random((R, A)) < compliance
            calls = rng.poisson(np.where(on, lam_on, lam_on * off))
            appts = rng.binomial(rng.binomial(calls, p_contact), p_meet)
            # Today's capacity, then visits oldest first.
            frac = np.where(on, on_frac, off_frac)
            cap = np.where(on, on_whole, off_whole) + (rng.random((R, A)) < frac)
            held = np.zeros((R, A), dtype=np.int64)
            for k in range(E - 1, -1, -1):
                take = np.minimum(backlog[k], cap - held)
                backlog[k] -= take
                held += take
            cases_month += rng.binomial(held, p_case)
            # The oldest bucket (set E days ago) expires tonight; the rest age.
            lost = backlog[E - 1]
            calls_m = calls_m + calls.sum(axis=1)
            appts_m = appts_m + appts.sum(axis=1)
            held_m = held_m + held.sum(axis=1)
            lost_m = lost_m + lost.sum(axis=1)
            backlog = np.roll(backlog, 1, axis=0)
            backlog[0] = appts
        # Premiums: one lognormal per case, rounded to cents, summed per replication.
        n_rep = cases_month.sum(axis=1)
        prem = np.rint(rng.lognormal(prem_mu, prem_sigma, int(n_rep.sum())) * 100) / 100
        out["premium"][m] = np.bincount(np.repeat(rep_index, n_rep), weights=prem, minlength=R)
        out["calls"][m] = calls_m
        out["appointments"][m] = appts_m
        out["meetings"][m] = held_m
        out["appointments_lost"][m] = lost_m
        out["cases"][m] = n_rep
        out["active_agents"][m] = (cases_month > 0).sum(axis=1)
    return out


def parse_set(p, items):
    for item in items:
        key, _, value = item.partition("=")
        if key not in p or not _:
            sys.exit(f"peer_numpy: --set {item}: expected one of {', '.join(p)} = a value")
        p[key] = value if key == "funnel.cold" else float(value)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--replications", type=int, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--csv", metavar="FILE", help="write the monthly means, sds and ses as CSV")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="change one of PARAMS (the scenario's dotted keys)")
    ap.add_argument("--params", action="store_true", help="print PARAMS as KEY=VALUE and exit")
    ap.add_argument("--quiet", action="store_true", help="print only the wall time")
    a = ap.parse_args()
    p = dict(PARAMS)
    parse_set(p, a.set)
    if a.params:
        for k, v in p.items():
            print(f"{k}={v}")
        return
    reps = a.replications if a.replications is not None else int(p["replications"])
    seed = a.seed if a.seed is not None else int(p["seed"])
    if reps < 2:
        sys.exit("peer_numpy: need at least 2 replications for a standard error")

    t0 = time.perf_counter()
    out = simulate(p, reps, seed)
    wall = time.perf_counter() - t0

    stats = {k: (v.mean(axis=1), v.std(axis=1, ddof=1)) for k, v in out.items()}
    agent_days = reps * int(p["team.headcount"]) * int(p["months"]) * int(p["working_days"])
    print(f"peer_numpy: {reps} replications, {agent_days} agent-days, wall {wall:.3f} s "
          f"({agent_days / wall:.0f} agent-days/s), NumPy {np.__version__}")
    if not a.quiet:
        print("month " + " ".join(f"{k:>26s}" for k in KPIS))
        for m in range(int(p["months"])):
            cells = []
            for k in KPIS:
                mean, sd = stats[k][0][m], stats[k][1][m]
                cells.append(f"{mean:>16.6g} +- {sd / math.sqrt(reps):<7.3g}")
            print(f"{m + 1:5d} " + " ".join(cells))
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            f.write("month," + ",".join(f"{k}_mean,{k}_sd,{k}_se" for k in KPIS) + "\n")
            for m in range(int(p["months"])):
                row = [str(m + 1)]
                for k in KPIS:
                    mean, sd = stats[k][0][m], stats[k][1][m]
                    row += [repr(float(mean)), repr(float(sd)), repr(float(sd / math.sqrt(reps)))]
                f.write(",".join(row) + "\n")
    print(f"wall_s={wall:.6f}")


if __name__ == "__main__":
    main()
