#include "sampler.h"

#include "cached_sampler.h"
#include "error.h"

#include <cmath>
#include <map>

namespace pixelmix {

torch::Tensor sampleUniforms(const SampleRequest& request, int height, int width)
{
    const int64_t batch = request.weights.size(0);
    auto options = torch::TensorOptions().dtype(torch::kFloat64);
    auto field = [&](std::uint64_t seed, int64_t images) {
        return torch::rand({images, height, width}, at::detail::createCPUGenerator(seed), options);
    };
    if (!request.sharedNoise)
        return field(request.seed, batch);
    if (request.noiseSeeds.empty())
        return field(request.seed, 1).expand({batch, height, width}).contiguous();
    if (int64_t(request.noiseSeeds.size()) != batch)
        throw Error(QStringLiteral("sampling: %1 noise seeds for %2 images").arg(request.noiseSeeds.size()).arg(batch));
    auto uniforms = torch::empty({batch, height, width}, options);
    std::map<std::uint64_t, torch::Tensor> fields;
    for (int64_t i = 0; i < batch; ++i) {
        auto& shared = fields[request.noiseSeeds[size_t(i)]];
        if (!shared.defined())
            shared = field(request.noiseSeeds[size_t(i)], 1)[0];
        uniforms[i].copy_(shared);
    }
    return uniforms;
}

int drawLevel(const float* logits, int levels, double temperature, double uniform)
{
    int best = 0;
    for (int k = 1; k < levels; ++k)
        if (logits[k] > logits[best])
            best = k;
    if (temperature <= 1e-6)
        return best;
    // Softmax in double, shifted by the maximum, so both samplers round the same way.
    double weights[256];
    double total = 0.0;
    for (int k = 0; k < levels; ++k) {
        weights[k] = std::exp((double(logits[k]) - double(logits[best])) / temperature);
        total += weights[k];
    }
    const double target = uniform * total;
    double cumulative = 0.0;
    for (int k = 0; k < levels; ++k) {
        cumulative += weights[k];
        if (target < cumulative)
            return k;
    }
    return levels - 1;
}

namespace {

torch::Tensor sampleNaive(PixelCNN& model, const SampleRequest& request, const torch::Tensor& uniforms,
                          const SampleCallback& onPixel)
{
    const auto& c = model->config;
    const int64_t batch = request.weights.size(0);
    auto levels = torch::zeros({batch, c.height, c.width}, torch::kUInt8);
    auto condition = request.weights.to(torch::kFloat32);
    auto levelsAccess = levels.accessor<uint8_t, 3>();
    auto uniformAccess = uniforms.accessor<double, 3>();
    for (int row = 0; row < c.height; ++row) {
        for (int col = 0; col < c.width; ++col) {
            // Rerun the whole network; only pixel (row, col)'s logits are used.
            auto logits = model->forward(levels, condition)
                              .select(3, col).select(2, row).contiguous();  // [B, K]
            const float* data = logits.data_ptr<float>();
            for (int64_t b = 0; b < batch; ++b)
                levelsAccess[b][row][col] = uint8_t(
                    drawLevel(data + b * c.levels, c.levels, request.temperature, uniformAccess[b][row][col]));
            if (onPixel && !onPixel(row, col, levels))
                return levels;
        }
    }
    return levels;
}

}  // namespace

torch::Tensor sample(PixelCNN& model, const SampleRequest& request, SamplerKind kind, const SampleCallback& onPixel)
{
    const auto& c = model->config;
    if (!request.weights.defined() || request.weights.dim() != 2 || request.weights.size(1) != c.classes ||
        request.weights.size(0) < 1)
        throw Error(QStringLiteral("sampling needs class weights of shape [images, %1]").arg(c.classes));
    if (!std::isfinite(request.temperature) || request.temperature < 0.0)
        throw Error(QStringLiteral("sampling needs a finite temperature >= 0, not %1").arg(request.temperature));
    InferenceScope inference(model);
    const auto uniforms = sampleUniforms(request, c.height, c.width);
    if (kind == SamplerKind::Naive)
        return sampleNaive(model, request, uniforms, onPixel);
    return CachedSampler(*model).run(request, uniforms, onPixel);
}

torch::Tensor parseWeights(const QString& text, int classes)
{
    // Summed and normalised in double: float would overflow (1e39) or underflow (1e-46) silently.
    std::vector<double> weights(size_t(std::max(classes, 0)), 0.0);
    const auto parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        throw Error(QStringLiteral("weights \"%1\": expected CLASS:WEIGHT pairs such as 4:0.7,9:0.3").arg(text));
    for (const auto& part : parts) {
        const auto fields = part.split(QLatin1Char(':'));
        bool classOk = false, weightOk = false;
        const int cls = fields.value(0).trimmed().toInt(&classOk);
        const double weight = fields.size() == 2 ? fields[1].trimmed().toDouble(&weightOk) : 0.0;
        if (fields.size() != 2 || !classOk || !weightOk)
            throw Error(QStringLiteral("weights \"%1\": \"%2\" is not CLASS:WEIGHT").arg(text, part));
        if (cls < 0 || cls >= classes)
            throw Error(QStringLiteral("weights \"%1\": class %2 is outside 0..%3").arg(text).arg(cls).arg(classes - 1));
        if (weight < 0.0 || !std::isfinite(weight))
            throw Error(QStringLiteral("weights \"%1\": weight %2 must be finite and >= 0").arg(text).arg(weight));
        weights[size_t(cls)] += weight;
    }
    double total = 0.0;
    for (double w : weights)
        total += w;
    if (!std::isfinite(total))
        throw Error(QStringLiteral("weights \"%1\": the weights are too large to add up").arg(text));
    if (total <= 0.0)
        throw Error(QStringLiteral("weights \"%1\": the weights sum to zero").arg(text));
    auto normalised = torch::empty({1, classes}, torch::kFloat32);  // [1, classes]
    for (int k = 0; k < classes; ++k)
        normalised[0][k] = float(weights[size_t(k)] / total);
    return normalised;
}

}  // namespace pixelmix
