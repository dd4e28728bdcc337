// route: the plugin's entry point.

#include "filters/route/filter.h"

SLUICE_PLUGIN("sluice-route", "1.0.0",
              SLUICE_FILTER_TYPE("route", sluice::filters::route::Config,
                                 sluice::filters::route::Filter))
