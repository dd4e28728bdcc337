// direct_response: the plugin's entry point.

#include "filters/direct_response/filter.h"

SLUICE_PLUGIN("sluice-direct-response", "0.1.0",
              SLUICE_FILTER_TYPE("direct_response", sluice::filters::direct_response::Config,
                                 sluice::filters::direct_response::Filter))
