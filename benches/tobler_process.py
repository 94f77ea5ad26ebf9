"""The whole of `jsna-gap apportion --values` done with PySAL tobler, as one
process, for the side-by-side timing in benches/compare_tobler.sh: read both
boundary files (any format GDAL reads), reproject to British National Grid,
make invalid geometries valid, read the values, area_interpolate, write
`target_code,value`.

    /tmp/tobler-venv/bin/python benches/tobler_process.py FROM FROM_CODE TO TO_CODE \
        VALUES CODE_COLUMN VALUE_COLUMN OUT.csv [--allocate-total]
"""

import sys
import warnings

import geopandas as gpd
import pandas as pd
import shapely
from tobler.area_weighted import area_interpolate


def layer(path, code):
    df = gpd.read_file(path, columns=[code])[[code, "geometry"]]
    if df.crs is None or df.crs.to_epsg() != 27700:
        df = df.to_crs(27700)
    invalid = ~df.geometry.is_valid
    df.loc[invalid, "geometry"] = shapely.make_valid(df.geometry[invalid].values)
    return df.rename(columns={code: "code"})


def main():
    warnings.filterwarnings("ignore", category=FutureWarning)
    args = [a for a in sys.argv[1:] if a != "--allocate-total"]
    allocate_total = "--allocate-total" in sys.argv
    source_file, source_code, target_file, target_code, values, code_column, value_column, out = args
    source = layer(source_file, source_code)
    target = layer(target_file, target_code)
    given = pd.read_csv(values, usecols=[code_column, value_column])
    source = source.merge(given, left_on="code", right_on=code_column, how="inner")
    result = area_interpolate(source, target, extensive_variables=[value_column],
                              allocate_total=allocate_total)
    pd.DataFrame({"target_code": target["code"], "value": result[value_column]}) \
        .sort_values("target_code").to_csv(out, index=False)


if __name__ == "__main__":
    main()
