// translate: the plugin's entry point.

#include "filters/translate/filter.h"

SLUICE_PLUGIN("sluice-translate", "1.0.0",
              SLUICE_FILTER_TYPE("translate", sluice::filters::translate::Config,
                                 sluice::filters::translate::Filter))
