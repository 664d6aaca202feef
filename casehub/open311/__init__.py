"""Open311 GeoReport v2 under /open311/v2: the city's app and third-party apps file and follow service requests."""
