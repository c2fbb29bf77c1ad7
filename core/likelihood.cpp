#include "likelihood.h"

#include <cmath>

namespace pixelmix {

namespace {
// Negative log-likelihood of each image in nats: [B].
torch::Tensor imageNats(const torch::Tensor& logits, const torch::Tensor& levels)
{
    return torch::nn::functional::cross_entropy(
               logits, levels.to(torch::kLong),
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
        .sum({1, 2});
}
}  // namespace

torch::Tensor natsPerPixel(const torch::Tensor& logits, const torch::Tensor& levels)
{
    return torch::nn::functional::cross_entropy(logits, levels.to(torch::kLong));
}

double natsToBitsPerDim(double nats) { return nats / std::log(2.0); }

Evaluation evaluate(PixelCNN& model, const torch::Tensor& levels, const torch::Tensor& labels, int batchSize,
                    const std::function<bool()>& cancelled)
{
    InferenceScope inference(model);
    const auto& c = model->config;
    const int64_t count = levels.size(0);
    double totalNats = 0.0;
    int64_t done = 0;
    for (int64_t start = 0; start < count; start += batchSize) {
        if (cancelled && cancelled())
            break;
        const int64_t n = std::min<int64_t>(batchSize, count - start);
        auto batch = levels.narrow(0, start, n);
        auto logits = model->forward(batch, oneHot(labels.narrow(0, start, n), c.classes));
        totalNats += imageNats(logits, batch).sum().item<double>();
        done += n;
    }
    Evaluation e;
    e.images = done;
    if (done > 0) {
        e.natsPerImage = totalNats / double(done);
        e.bitsPerDim = natsToBitsPerDim(e.natsPerImage / double(c.height * c.width));
    }
    return e;
}

torch::Tensor imageBitsPerDim(PixelCNN& model, const torch::Tensor& levels, const torch::Tensor& weights)
{
    InferenceScope inference(model);
    const auto& c = model->config;
    auto nats = imageNats(model->forward(levels, weights.to(torch::kFloat32)), levels);
    return nats / (double(c.height * c.width) * std::log(2.0));
}

torch::Tensor classLogLikelihoods(PixelCNN& model, const torch::Tensor& levels, int batchSize,
                                  const std::function<bool()>& cancelled)
{
    InferenceScope inference(model);
    const auto& c = model->config;
    const int64_t count = levels.size(0);
    auto result = torch::empty({count, c.classes}, torch::kFloat64);
    const auto classes = torch::eye(c.classes, torch::kFloat32);  // [classes, classes]
    const int64_t imagesPerBatch = std::max<int64_t>(1, batchSize / c.classes);
    for (int64_t start = 0; start < count; start += imagesPerBatch) {
        if (cancelled && cancelled())
            return {};
        const int64_t n = std::min<int64_t>(imagesPerBatch, count - start);
        // Each image repeated once per class: [n * classes, H, W], conditioned on each class in turn.
        auto images = levels.narrow(0, start, n).repeat_interleave(c.classes, 0);
        auto condition = classes.repeat({n, 1});
        auto nats = imageNats(model->forward(images, condition), images);  // [n * classes]
        result.narrow(0, start, n).copy_(-nats.view({n, c.classes}).to(torch::kFloat64));
    }
    return result;
}

torch::Tensor classPosterior(const torch::Tensor& logLikelihoods)
{
    return torch::softmax(logLikelihoods.to(torch::kFloat64), 1);
}

}  // namespace pixelmix
