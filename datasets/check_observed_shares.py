#!/usr/bin/env python3
"""Compare the real caseload counts in caseload_observed.csv with the shares the
caseload model gives the same areas, using only the data in ../shared/data.

The model (src/geography/units.rs, src/caseload.rs): England's share of an
England-and-Wales total is England's share of adults (18+, ONS mid-2020); the
England figure is spread over districts (LAD 2024) in proportion to a proxy
(IoD2025 employment scale by default, income scale, or adults) and within a
district over its 2011 LSOAs by adults. This script rebuilds those LSOA
weights with the standard library only, so the comparison does not depend on
the crate, then prints:

  1. England's share of adults;
  2. each probation region's share of England under each proxy;
  3. the model's estimate for Sherwood Forest (PCON 2024; LSOAs placed by the
     centroid of their 2011 boundary) against the written-answer counts;
  4. date-matched ratios between two areas counted in the same source
     (Staffordshire / North Yorkshire 2004-08; West / South Yorkshire 1978-83),
     which need no national total;
  5. the London share and the Humberside workload split quoted in the README.

Run from the repository root:  python3 datasets/check_observed_shares.py
(or pass the data directory:   python3 datasets/check_observed_shares.py ../shared/data)
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
HERE = Path(__file__).resolve().parent
PROXIES = ("employment", "income", "adults")


def rows(rel):
    with open(DATA / rel, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def adults_by_lsoa():
    """Adults (18-89 and 90+) per LSOA 2011, as units.rs counts them."""
    ages = [str(a) for a in range(18, 90)] + ["90+"]
    england, wales = {}, 0.0
    for r in rows("population/demographr_population20_lsoa11.csv"):
        n = sum(float(r[a]) for a in ages)
        if r["lsoa11_code"].startswith("E"):
            england[r["lsoa11_code"]] = n
        else:
            wales += n
    return england, wales


def lsoa_weights():
    """LSOA -> (lad, adults, {proxy: weight}) and district facts."""
    adults, wales = adults_by_lsoa()
    lad23 = {r["ltla22_code"]: r["ltla23_code"] for r in rows("lookups/geographr_lookup_ltla22_ltla23.csv")}
    lad_of = {
        r["lsoa11_code"]: lad23[r["ltla22_code"]]
        for r in rows("lookups/geographr_lookup_lsoa11_sicbl22_icb22_ltla22.csv")
    }
    scale = {
        r["ltla24_code"]: {"employment": float(r["employment_scale"]), "income": float(r["income_scale"])}
        for r in rows("deprivation/imd2025_lad24_summaries.csv")
    }
    district = {
        r["lad24cd"]: {"name": r["lad24nm"], "pfa": r["pfa23cd"], "pfa_name": r["pfa23nm"],
                       "region": r["probation_region_delius_code"], "region_name": r["probation_region"]}
        for r in rows("justice/lad_pfa_probation_region_lookup.csv")
    }
    lad_adults = defaultdict(float)
    for code, lad in lad_of.items():
        lad_adults[lad] += adults[code]
    weights = {}
    for code, lad in lad_of.items():
        share = adults[code] / lad_adults[lad]
        w = {p: scale[lad][p] * share for p in ("employment", "income")}
        w["adults"] = adults[code]
        weights[code] = (lad, adults[code], w)
    return weights, district, sum(adults.values()), wales


def shares_by(weights, key):
    """Each area's share of England under each proxy; key maps an LSOA's LAD to an area."""
    totals = {p: sum(w[p] for _, _, w in weights.values()) for p in PROXIES}
    out = defaultdict(lambda: dict.fromkeys(PROXIES, 0.0))
    for lad, _, w in weights.values():
        for p in PROXIES:
            out[key(lad)][p] += w[p] / totals[p]
    return out


def ring_area_centroid(ring):
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    return a / 2, cx / (3 * a), cy / (3 * a)


def centroid(geom):
    """Area-weighted centroid of a (Multi)Polygon's outer rings (lon/lat; LSOAs are small)."""
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    parts = [ring_area_centroid(p[0]) for p in polys]
    area = sum(abs(a) for a, _, _ in parts)
    return (sum(abs(a) * x for a, x, _ in parts) / area, sum(abs(a) * y for a, _, y in parts) / area)


def inside(point, geom):
    """Even-odd ray test over every ring, so holes count."""
    x, y = point
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    hit = False
    for poly in polys:
        for ring in poly:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                    hit = not hit
    return hit


def lsoas_in_pcon(pcon_code):
    pcon = next(f for f in json.load(open(DATA / "boundaries/pcon/PCON_JUL_2024_UK_BUC.geojson"))["features"]
                if f["properties"]["PCON24CD"] == pcon_code)
    lsoa = json.load(open(DATA / "boundaries/lsoa/geographr_boundaries_lsoa11_LSOA_DEC_2011_EW_BSC_simplified.geojson"))
    return pcon["properties"]["PCON24NM"], [
        f["properties"]["lsoa11_code"] for f in lsoa["features"]
        if inside(centroid(f["geometry"]), pcon["geometry"])
    ]


def observed(area_code, definition=None):
    with open(HERE / "caseload_observed.csv", newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)
                if r["area_code"] == area_code and (definition is None or r["definition"] == definition)]


def national(date):
    with open(HERE / "caseload_national.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["date"] == date and r["area_code"] == "K04000001" and r["definition"] == "all_supervised_national" \
                    and r["verified"] == "yes":
                return int(r["count"])
    return None


def main():
    weights, district, england, wales = lsoa_weights()
    england_share = england / (england + wales)
    print(f"1. England adults {england:,.0f}, Wales adults {wales:,.0f}: England's share {england_share:.4f}")

    print("\n2. Probation region share of England under each proxy (employment / income / adults)")
    regions = shares_by(weights, lambda lad: district[lad]["region"])
    names = {d["region"]: d["region_name"] for d in district.values()}
    for code in sorted(regions, key=lambda c: -regions[c]["employment"]):
        s = regions[code]
        print(f"   {code} {names[code]:<24} {s['employment']:.4f} {s['income']:.4f} {s['adults']:.4f}"
              f"   employment/adults {s['employment'] / s['adults']:.2f}")

    print("\n3. Sherwood Forest (PCON 2024 E14001471): model vs written-answer counts")
    name, codes = lsoas_in_pcon("E14001471")
    totals = {p: sum(w[p] for _, _, w in weights.values()) for p in PROXIES}
    share = {p: sum(weights[c][2][p] for c in codes) / totals[p] for p in PROXIES}
    lads = sorted({weights[c][0] for c in codes})
    print(f"   {name}: {len(codes)} LSOAs (2011) by centroid, {sum(weights[c][1] for c in codes):,.0f} adults, "
          f"in {', '.join(district[l]['name'] for l in lads)}")
    print("   share of England: " + ", ".join(f"{p} {share[p]:.6f}" for p in PROXIES))
    for row in observed("E14001471"):
        total = national(row["date"])
        if total is None:
            continue
        obs = int(row["count"])
        for nfa in (0.12, 0.14):
            est = {p: total * england_share * share[p] * (1 - nfa) for p in PROXIES}
            print(f"   {row['date']}: observed {obs}; model x (1 - {nfa:.2f} no fixed abode) = "
                  + ", ".join(f"{p} {est[p]:.0f} (obs/model {obs / est[p]:.2f})" for p in PROXIES))

    print("\n4. Same-source ratios between two areas (no national total needed)")
    pfa = shares_by(weights, lambda lad: district[lad]["pfa"])
    pairs = [("E23000015", "E23000009", ("pre_release_custody_managing_area", "community_managing_area")),
             ("E23000010", "E23000011", ("historic_all_supervision_managing_area",))]
    for a, b, defs in pairs:
        model = {p: pfa[a][p] / pfa[b][p] for p in PROXIES}
        print(f"   {a}/{b} model: " + ", ".join(f"{p} {model[p]:.2f}" for p in PROXIES))
        obs_a = defaultdict(int)
        obs_b = defaultdict(int)
        for d in defs:
            for r in observed(a, d):
                obs_a[r["date"]] += int(r["count"])
            for r in observed(b, d):
                obs_b[r["date"]] += int(r["count"])
        for date in sorted(obs_a):
            print(f"     {date}: observed {obs_a[date]}/{obs_b[date]} = {obs_a[date] / obs_b[date]:.2f}")

    print("\n5. Shares quoted in the README")
    london = regions["N07"]
    print("   London (N07) share of England and Wales = England share x London share of England: "
          + ", ".join(f"{p} {england_share * london[p]:.3f}" for p in PROXIES))
    lads = shares_by(weights, lambda lad: lad)
    humber = ["E06000010", "E06000012", "E06000013", "E06000011"]
    for p in PROXIES:
        tot = sum(lads[c][p] for c in humber)
        print(f"   Humberside split by {p}: "
              + ", ".join(f"{district[c]['name']} {lads[c][p] / tot:.2f}" for c in humber))


if __name__ == "__main__":
    main()
