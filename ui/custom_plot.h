#pragma once
// <qcustomplot.h> for this project: it predates QT_NO_KEYWORDS (defined globally here), so it gets
// the two keywords it uses for this include only. Widgets include this, never <qcustomplot.h>.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
