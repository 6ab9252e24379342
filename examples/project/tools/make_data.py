#!/usr/bin/env python3
"""Generate the example data set deterministically (standard library only).

The data set models the energy a small office building uses in a day (kWh) from
the outdoor temperature (degC), the number of people in the building and whether
it is a working day. It is synthetic but has the shape of a real regression
problem: a non-linear effect of temperature (heating below 18 degC, cooling above
22 degC), a linear effect of occupancy and Gaussian noise.

    python3 examples/project/tools/make_data.py [--out examples/project/data] [--rows 400] [--seed 7]

Writes train.csv (80 %) and test.csv (20 %). The same seed always gives the same bytes.
"""
import argparse
import csv
import os
import random

HEADER = ["temperature_c", "occupancy", "workday", "energy_kwh"]


def energy(temperature, occupancy, workday, noise):
    heating = max(0.0, 18.0 - temperature) * 2.2
    cooling = max(0.0, temperature - 22.0) * 3.1
    return 40.0 + heating + cooling + 0.45 * occupancy + 12.0 * workday + noise


def rows(count, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        temperature = round(rng.uniform(-5.0, 35.0), 1)
        workday = 1 if rng.random() < 5 / 7 else 0
        occupancy = rng.randint(20, 120) if workday else rng.randint(0, 15)
        kwh = energy(temperature, occupancy, workday, rng.gauss(0.0, 3.0))
        out.append([temperature, occupancy, workday, round(kwh, 3)])
    return out


def write(path, data):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(here, "..", "data"))
    p.add_argument("--rows", type=int, default=400)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    data = rows(a.rows, a.seed)
    cut = int(len(data) * 0.8)
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "train.csv"), data[:cut])
    write(os.path.join(a.out, "test.csv"), data[cut:])
    print(f"wrote {cut} training rows and {len(data) - cut} test rows to {os.path.normpath(a.out)}")


if __name__ == "__main__":
    main()
