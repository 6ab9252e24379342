"""Feature engineering shared by training and scoring (one definition, no skew)."""

FEATURES = ["temperature_c", "heating_degrees", "cooling_degrees", "occupancy", "workday"]
INPUT_COLUMNS = ["temperature_c", "occupancy", "workday"]
TARGET = "energy_kwh"

# Degree-day thresholds: below 18 degC the building heats, above 22 degC it cools.
HEATING_BASE_C = 18.0
COOLING_BASE_C = 22.0


def features(temperature_c, occupancy, workday):
    """Turn one raw input row (the columns of INPUT_COLUMNS) into the model's feature vector."""
    t = float(temperature_c)
    return [
        t,
        max(0.0, HEATING_BASE_C - t),
        max(0.0, t - COOLING_BASE_C),
        float(occupancy),
        float(workday),
    ]
