"""Print libpysal's Queen contiguity and k-nearest-neighbour weights of a
GeoJSON FeatureCollection as JSON, keyed by a feature property, for
geo/weights_pysal_test.go.

usage: queen.py FILE.geojson CODE_PROPERTY K
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")  # islands, missing geopandas, no network

import numpy as np
from libpysal.weights import KNN, Queen
from shapely.geometry import shape

path, prop, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path) as f:
    features = json.load(f)["features"]
codes = [str(ft["properties"][prop]) for ft in features]
geoms = [shape(ft["geometry"]) for ft in features]

queen = Queen.from_iterable(geoms)  # ids are 0..n-1, in file order
centroids = np.array([[g.centroid.x, g.centroid.y] for g in geoms])
knn = KNN.from_array(centroids, k=k)

json.dump(
    {
        "libpysal": __import__("libpysal").__version__,
        "codes": codes,
        "queen": [sorted(codes[j] for j in queen.neighbors[i]) for i in range(len(geoms))],
        "islands": sorted(codes[i] for i in queen.islands),
        "knn": [[codes[j] for j in knn.neighbors[i]] for i in range(len(geoms))],
        "centroids": centroids.tolist(),
    },
    sys.stdout,
)
