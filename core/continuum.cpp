#include "continuum.h"

#include "error.h"
#include "likelihood.h"

#include <cmath>

namespace pixelmix {

namespace {
void checkClass(int k, int classes, const char* which)
{
    if (k < 0 || k >= classes)
        throw Error(QStringLiteral("continuum: class %1 = %2 is outside 0..%3")
                        .arg(QLatin1String(which))
                        .arg(k)
                        .arg(classes - 1));
}
}  // namespace

torch::Tensor continuumWeights(int a, int b, int steps, int classes)
{
    checkClass(a, classes, "a");
    checkClass(b, classes, "b");
    if (a == b)
        throw Error(QStringLiteral("continuum: needs two different classes, got %1 twice").arg(a));
    if (steps < 2)
        throw Error(QStringLiteral("continuum: %1 steps; at least 2 are needed").arg(steps));
    auto weights = torch::zeros({steps, classes}, torch::kFloat32);
    auto access = weights.accessor<float, 2>();
    for (int k = 0; k < steps; ++k) {
        const double toB = double(k) / double(steps - 1);
        access[k][a] = float(1.0 - toB);
        access[k][b] = float(toB);
    }
    return weights;
}

Strip sampleStrip(PixelCNN& model, const StripRequest& request, const StripCallback& onPixel)
{
    const auto& c = model->config;
    if (request.rows < 1)
        throw Error(QStringLiteral("continuum: %1 rows; at least 1 is needed").arg(request.rows));
    if (!(request.temperature >= 0.0) || !std::isfinite(request.temperature))
        throw Error(QStringLiteral("continuum: temperature %1 must be finite and >= 0").arg(request.temperature));
    Strip strip;
    strip.request = request;
    strip.weights = continuumWeights(request.a, request.b, request.steps, c.classes);
    const int steps = request.steps;
    strip.levels = torch::zeros({int64_t(request.rows) * steps, c.height, c.width}, torch::kUInt8);

    for (int r = 0; r < request.rows; ++r) {
        SampleRequest row;
        row.weights = strip.weights;
        row.temperature = request.temperature;
        row.seed = request.seed + std::uint64_t(r);
        row.sharedNoise = request.coherent;
        bool cancelled = false;
        SampleCallback callback;
        if (onPixel)
            callback = [&](int pixelRow, int pixelCol, const torch::Tensor& levels) {
                cancelled = !onPixel(r, pixelRow, pixelCol, levels);
                return !cancelled;
            };
        strip.levels.narrow(0, int64_t(r) * steps, steps).copy_(sample(model, row, request.sampler, callback));
        if (cancelled)
            return strip;
    }

    strip.posterior = classPosterior(classLogLikelihoods(model, strip.levels));
    strip.bitsPerDim = torch::empty({int64_t(request.rows) * steps}, torch::kFloat64);
    for (int r = 0; r < request.rows; ++r)  // one strip row per forward: each image under its own weights
        strip.bitsPerDim.narrow(0, int64_t(r) * steps, steps)
            .copy_(imageBitsPerDim(model, strip.levels.narrow(0, int64_t(r) * steps, steps), strip.weights));
    strip.complete = true;
    return strip;
}

StripCurves stripCurves(const Strip& strip)
{
    if (!strip.complete)
        throw Error(QStringLiteral("continuum: the strip was cancelled before it was measured"));
    const auto posterior = strip.posterior.to(torch::kFloat64).contiguous();
    const auto bits = strip.bitsPerDim.to(torch::kFloat64).contiguous();
    const int64_t classes = posterior.size(1);
    const double* p = posterior.data_ptr<double>();
    std::vector<std::vector<double>> posteriorRows;
    for (int64_t i = 0; i < posterior.size(0); ++i)
        posteriorRows.emplace_back(p + i * classes, p + (i + 1) * classes);
    const double* d = bits.data_ptr<double>();
    return stripCurves(strip.request.a, strip.request.b, strip.steps(), posteriorRows,
                       std::vector<double>(d, d + bits.numel()));
}

}  // namespace pixelmix
