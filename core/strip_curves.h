#pragma once
// The parts of continuum strips (continuum.h) that need no LibTorch, so the GUI can use them too:
// pairs of classes by name, and the curves the charts draw (the report's PNG, posterior_plot.h,
// and the app's ui/posterior_chart) from each image's posterior and bits/dim.
#include <QString>

#include <utility>
#include <vector>

namespace pixelmix {

// "a-b": the name of a pair's files, e.g. "4-9".
QString pairName(int a, int b);

// Pairs from "1-7,3-8"; Error naming the bad part (classes outside 0..classes-1, a == b).
std::vector<std::pair<int, int>> parsePairs(const QString& text, int classes);

// The numbers along a strip, per step: means over rows and each row's own values.
struct StripCurves {
    int a = 0, b = 1;
    std::vector<double> weightOfB;                  // [steps]
    std::vector<double> meanA, meanB, meanBits;     // [steps]: mean p(a), p(b), bits/dim over rows
    std::vector<std::vector<double>> rowA, rowB, rowBits;  // [rows][steps]
};

// From each image's posterior p(k | x) ([rows * steps][classes]) and bits/dim ([rows * steps]),
// image r * steps + k being row r, step k at weight of b k / (steps - 1) (0 for a single step).
// Error when the sizes disagree or a or b is not a class of the posterior.
StripCurves stripCurves(int a, int b, int steps, const std::vector<std::vector<double>>& posterior,
                        const std::vector<double>& bitsPerDim);

}  // namespace pixelmix
