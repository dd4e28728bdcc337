// log: the plugin's entry point.

#include "filters/log/filter.h"

SLUICE_PLUGIN("sluice-log", "1.0.0",
              SLUICE_FILTER_TYPE("log", sluice::filters::log::Config, sluice::filters::log::Filter))
