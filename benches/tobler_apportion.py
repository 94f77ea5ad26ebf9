"""PySAL tobler's area_interpolate on the inputs of jsna-gap's apportion
agreement tests (tests/apportion.rs) and benchmark (benches/apportion.rs):
writes the per-target results as fixtures and times tobler for the
side-by-side comparison.

    python3 -m venv /tmp/tobler-venv && /tmp/tobler-venv/bin/pip install tobler
    /tmp/tobler-venv/bin/python benches/tobler_apportion.py [DATA_DIR]

DATA_DIR defaults to ../shared/data beside the checkout. Outputs, in
tests/fixtures/apportion/:

- lad24_population.csv: the values for the LAD -> CTYUA case, English LAD
  (December 2024) populations, ONS mid-2020 LSOA populations summed through
  the ONS lookups LSOA11 -> LAD22 -> LAD23 (the same route as
  jsna_gap::geography::units; the test checks the two agree).
- tobler_lsoa11_ccg21.csv: LSOA 2011 (34,753, EW BSC) -> CCG April 2021 (106,
  EN BUC), total_population as the extensive variable.
- tobler_lad24_ctyua24.csv: LAD Dec 2024 (UK BUC) -> CTYUA Dec 2024 (UK BUC),
  lad24_population.csv as the extensive variable.
- tobler_lsoa11_ccg21_allocate_total.csv: LSOA 2011 -> CCG April 2021 as
  above with tobler's default, allocate_total=True (jsna-gap's
  --allocate-total).

Both layers are reprojected to EPSG:27700 with geopandas/pyproj, which (with
no OSTN15 grid installed, PROJ's default) uses the 7-parameter Helmert
transformation; jsna-gap uses OSTN15. The two differ by up to a few metres,
which moves area shares by far less than the 1e-4 the tests allow.

allocate_total=False (all but the last file): a source's value is shared by the share of its area in
each target, and what lies outside every target is not placed, which is what
jsna-gap does (and reports). tobler's default, True, would instead spread it
over the targets that are there.
"""

import pathlib
import sys
import time
import warnings

import geopandas as gpd
import pandas as pd
import pyproj
import shapely
import tobler
from tobler.area_weighted import area_interpolate

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "fixtures" / "apportion"

LSOA = "boundaries/lsoa/geographr_boundaries_lsoa11_LSOA_DEC_2011_EW_BSC_simplified.geojson"
CCG21 = "boundaries/health/CCG_APR_2021_EN_BUC.geojson"
LAD24 = "boundaries/lad/LAD_DEC_2024_UK_BUC.geojson"
CTYUA24 = "boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson"


def layer(rel, code):
    """A boundary layer in British National Grid, made valid (shapely's
    make_valid, as jsna-gap repairs invalid rings), with its codes as `code`."""
    df = gpd.read_file(DATA / rel)[[code, "geometry"]].rename(columns={code: "code"})
    df = df.to_crs(27700)
    invalid = ~df.geometry.is_valid
    df.loc[invalid, "geometry"] = shapely.make_valid(df.geometry[invalid].values)
    return df, int(invalid.sum())


def lad24_population():
    pop = pd.read_csv(DATA / "population/demographr_population20_lsoa11.csv",
                      usecols=["lsoa11_code", "total_population"])
    lsoa_lad22 = pd.read_csv(DATA / "lookups/geographr_lookup_lsoa11_sicbl22_icb22_ltla22.csv",
                             usecols=["lsoa11_code", "ltla22_code"])
    lad22_lad23 = pd.read_csv(DATA / "lookups/geographr_lookup_ltla22_ltla23.csv",
                              usecols=["ltla22_code", "ltla23_code"])
    df = pop.merge(lsoa_lad22, on="lsoa11_code").merge(lad22_lad23, on="ltla22_code")
    out = (df.groupby("ltla23_code", as_index=False)["total_population"].sum()
             .rename(columns={"ltla23_code": "lad24_code", "total_population": "population"})
             .sort_values("lad24_code"))
    return out


def timed(label, f, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    print(f"{label}: best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s "
          f"(of {repeat})")
    return result


def write(df, name, header):
    path = OUT / name
    with open(path, "w") as f:
        f.write(header)
        df.to_csv(f, index=False, float_format="%.10f", lineterminator="\n")
    print(f"wrote {path}")


def main():
    # scipy's FutureWarning about diags() dtypes, from inside tobler.
    warnings.filterwarnings("ignore", category=FutureWarning)
    versions = (f"tobler {tobler.__version__}, geopandas {gpd.__version__}, "
                f"shapely {shapely.__version__}, pyproj {pyproj.__version__} "
                f"(PROJ {pyproj.proj_version_str})")
    print(versions)
    def header(allocate_total):
        return (f"# made by benches/tobler_apportion.py: {versions}; "
                f"area_interpolate(allocate_total={allocate_total}) in EPSG:27700\n")

    start = time.perf_counter()
    lsoa, lsoa_fixed = layer(LSOA, "lsoa11_code")
    pop = pd.read_csv(DATA / "population/demographr_population20_lsoa11.csv",
                      usecols=["lsoa11_code", "total_population"])
    lsoa = lsoa.merge(pop, left_on="code", right_on="lsoa11_code", how="left")
    ccg, ccg_fixed = layer(CCG21, "AREACD")
    print(f"read + reproject + make_valid LSOA and CCG: {time.perf_counter() - start:.3f} s "
          f"({lsoa_fixed} LSOA and {ccg_fixed} CCG geometries made valid)")

    result = timed("tobler area_interpolate LSOA11 -> CCG21 (n_jobs=1)",
                   lambda: area_interpolate(lsoa, ccg, extensive_variables=["total_population"],
                                            allocate_total=False))
    timed("tobler area_interpolate LSOA11 -> CCG21 (n_jobs=-1)",
          lambda: area_interpolate(lsoa, ccg, extensive_variables=["total_population"],
                                   allocate_total=False, n_jobs=-1))
    out = pd.DataFrame({"target_code": ccg["code"], "value": result["total_population"]})
    write(out.sort_values("target_code"), "tobler_lsoa11_ccg21.csv", header(False))
    result = timed("tobler area_interpolate LSOA11 -> CCG21, allocate_total=True (n_jobs=1)",
                   lambda: area_interpolate(lsoa, ccg, extensive_variables=["total_population"],
                                            allocate_total=True))
    out = pd.DataFrame({"target_code": ccg["code"], "value": result["total_population"]})
    write(out.sort_values("target_code"), "tobler_lsoa11_ccg21_allocate_total.csv", header(True))

    values = lad24_population()
    values.to_csv(OUT / "lad24_population.csv", index=False, lineterminator="\n")
    print(f"wrote {OUT / 'lad24_population.csv'}")
    lad, lad_fixed = layer(LAD24, "AREACD")
    cty, cty_fixed = layer(CTYUA24, "AREACD")
    print(f"{lad_fixed} LAD and {cty_fixed} CTYUA geometries made valid")
    lad = lad.merge(values, left_on="code", right_on="lad24_code", how="inner")
    result = timed("tobler area_interpolate LAD24 -> CTYUA24 (n_jobs=1)",
                   lambda: area_interpolate(lad, cty, extensive_variables=["population"],
                                            allocate_total=False))
    out = pd.DataFrame({"target_code": cty["code"], "value": result["population"]})
    write(out.sort_values("target_code"), "tobler_lad24_ctyua24.csv", header(False))


if __name__ == "__main__":
    main()
