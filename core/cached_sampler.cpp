#include "cached_sampler.h"

#include <cmath>

namespace pixelmix {

namespace {

// W^T as a contiguous [in][out] float array, so the inner loop of matVec runs along outputs.
std::vector<float> transposed(const torch::Tensor& weight /* [out, in] */)
{
    auto t = weight.detach().to(torch::kFloat32).t().contiguous();
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
}

std::vector<float> copied(const torch::Tensor& tensor)
{
    auto t = tensor.detach().to(torch::kFloat32).contiguous();
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
}

// out[n] += sum_m in[m] * weight[m][n] for one image. The hot loop of the sampler: compiled for
// AVX2+FMA where the processor has it, plain SSE2 otherwise.
__attribute__((target_clones("avx2", "default"))) void matVecAccumulate(const float* in, int inputs,
                                                                         const float* weight, int outputs,
                                                                         float* out)
{
    for (int m = 0; m < inputs; ++m) {
        const float a = in[m];
        const float* row = weight + size_t(m) * outputs;
        for (int n = 0; n < outputs; ++n)
            out[n] += a * row[n];
    }
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

CachedSampler::CachedSampler(PixelCNNImpl& model) : model_(model)
{
    for (auto& gated : model.gatedLayers) {
        Layer layer;
        layer.verticalWeight = gated->verticalConv->weight.detach();
        layer.verticalBias = gated->verticalConv->bias.detach();
        layer.linkWeight = gated->verticalToHorizontal->weight.detach().flatten(1);  // [2C, 2C]
        layer.horizontalBias = (gated->horizontalConv->bias + gated->verticalToHorizontal->bias).detach();
        // horizontalConv weight [2C, Cin, 1, taps] -> [taps, Cin, 2C] -> [(taps*Cin), 2C]
        auto horizontal = gated->horizontalConv->weight.detach().squeeze(2).permute({2, 1, 0}).contiguous();
        layer.horizontalWeight = copied(horizontal);
        layer.outWeight = transposed(gated->horizontalOut->weight.flatten(1));
        layer.outBias = copied(gated->horizontalOut->bias);
        layers_.push_back(std::move(layer));
    }
    hiddenWeight_ = transposed(model.outputHidden->weight.flatten(1));
    hiddenBias_ = copied(model.outputHidden->bias);
    logitWeight_ = transposed(model.outputLogits->weight.flatten(1));
    logitBias_ = copied(model.outputLogits->bias);
}

torch::Tensor CachedSampler::run(const SampleRequest& request, const torch::Tensor& uniforms,
                                 const SampleCallback& onPixel, torch::Tensor* logitsOut)
{
    const auto& cfg = model_.config;
    const int B = int(request.weights.size(0));
    const int C = cfg.channels, twoC = 2 * C, K = cfg.levels, H = cfg.height, W = cfg.width;
    const int pad = cfg.kernel / 2, taps = pad + 1;
    const int L = int(layers_.size());
    const float levelDivisor = float(K - 1);  // divide, as PixelCNNImpl::scaleInput does, for identical inputs

    auto levels = torch::zeros({B, H, W}, torch::kUInt8);
    auto levelAccess = levels.accessor<uint8_t, 3>();
    auto uniformAccess = uniforms.accessor<double, 3>();
    float* logitData = nullptr;  // [B, K, H, W] when the caller wants the logits
    if (logitsOut) {
        *logitsOut = torch::zeros({B, K, H, W}, torch::kFloat32);
        logitData = logitsOut->data_ptr<float>();
    }

    // Per-layer conditioning terms for every location, computed once: [B, 2C, H, W].
    const auto condition = request.weights.to(torch::kFloat32);
    const auto spatial = model_.mixSpatial(condition);
    std::vector<torch::Tensor> verticalExtra, horizontalExtra;
    for (int l = 0; l < L; ++l) {
        auto& gated = model_.gatedLayers[l];
        auto v = gated->conditionVertical(condition).view({B, twoC, 1, 1}) +
                 layers_[l].verticalBias.view({1, twoC, 1, 1});
        auto h = gated->conditionHorizontal(condition).view({B, twoC, 1, 1}) +
                 layers_[l].horizontalBias.view({1, twoC, 1, 1});
        if (gated->spatialVertical) {
            v = v + gated->spatialVertical(spatial);
            h = h + gated->spatialHorizontal(spatial);
        }
        verticalExtra.push_back(v.expand({B, twoC, H, W}).contiguous());
        horizontalExtra.push_back(h.expand({B, twoC, H, W}).contiguous());
    }

    // Vertical stack state: the image and each layer's v output, zero-padded so that a (pad+1) x k
    // window over padded rows i..i+pad is exactly what row i may see.
    auto imageRows = torch::zeros({B, 1, H + pad + 1, W + 2 * pad});  // x row r at padded row r+pad+1
    float* imageRowsData = imageRows.data_ptr<float>();
    std::vector<torch::Tensor> verticalRows;                          // v row r at padded row r+pad
    for (int l = 0; l < L; ++l)
        verticalRows.push_back(torch::zeros({B, C, H + pad, W + 2 * pad}));

    // Horizontal stack state for the current row, [B][padded column][channels], left zero padding.
    std::vector<float> imageRow(size_t(B) * (W + taps));                 // x at padded column j+taps
    std::vector<std::vector<float>> hiddenRows(L, std::vector<float>(size_t(B) * (W + pad) * C));
    std::vector<float> rowLink;  // [W][B][2C]: everything the horizontal pre-activation gets from v and h
    std::vector<float> pre(twoC), gated(C), hidden(C), logits(K);

    for (int i = 0; i < H; ++i) {
        // --- Row step: advance the vertical stack of every layer by one row. ---
        std::vector<torch::Tensor> links(L);
        for (int l = 0; l < L; ++l) {
            const auto& input = l == 0 ? imageRows : verticalRows[l - 1];
            auto window = input.narrow(2, i, taps);  // [B, Cin, pad+1, W+2pad]
            auto vertical = torch::conv2d(window, layers_[l].verticalWeight).squeeze(2) +
                            verticalExtra[l].select(2, i);  // [B, 2C, W]
            verticalRows[l].select(2, i + pad).narrow(2, pad, W).copy_(gate(vertical.unsqueeze(2)).squeeze(2));
            auto link = torch::matmul(layers_[l].linkWeight, vertical) + horizontalExtra[l].select(2, i);  // [B, 2C, W]
            links[l] = link.permute({2, 0, 1}).contiguous();  // [W, B, 2C]
        }
        std::fill(imageRow.begin(), imageRow.end(), 0.0f);
        for (auto& row : hiddenRows)
            std::fill(row.begin(), row.end(), 0.0f);

        // --- Pixel steps: the horizontal stack and the head, for pixel (i, j) alone. ---
        for (int j = 0; j < W; ++j) {
            for (int b = 0; b < B; ++b) {
                for (int l = 0; l < L; ++l) {
                    const Layer& layer = layers_[l];
                    const float* link = links[l].data_ptr<float>() + (size_t(j) * B + b) * twoC;
                    std::copy(link, link + twoC, pre.begin());
                    if (l == 0)  // image columns j-taps .. j-1 sit at padded columns j .. j+pad
                        matVecAccumulate(imageRow.data() + size_t(b) * (W + taps) + j, taps,
                                         layer.horizontalWeight.data(), twoC, pre.data());
                    else  // previous layer's columns j-pad .. j sit at padded columns j .. j+pad
                        matVecAccumulate(hiddenRows[l - 1].data() + (size_t(b) * (W + pad) + j) * C, taps * C,
                                         layer.horizontalWeight.data(), twoC, pre.data());
                    for (int c = 0; c < C; ++c)
                        gated[c] = std::tanh(pre[c]) * sigmoid(pre[C + c]);
                    float* out = hiddenRows[l].data() + (size_t(b) * (W + pad) + j + pad) * C;
                    std::copy(layer.outBias.begin(), layer.outBias.end(), out);
                    matVecAccumulate(gated.data(), C, layer.outWeight.data(), C, out);
                    if (l > 0) {  // residual
                        const float* previous = hiddenRows[l - 1].data() + (size_t(b) * (W + pad) + j + pad) * C;
                        for (int c = 0; c < C; ++c)
                            out[c] += previous[c];
                    }
                }
                // Output head: relu -> 1x1 -> relu -> 1x1 to K logits.
                const float* top = hiddenRows[L - 1].data() + (size_t(b) * (W + pad) + j + pad) * C;
                for (int c = 0; c < C; ++c)
                    gated[c] = std::max(top[c], 0.0f);
                std::copy(hiddenBias_.begin(), hiddenBias_.end(), hidden.begin());
                matVecAccumulate(gated.data(), C, hiddenWeight_.data(), C, hidden.data());
                for (int c = 0; c < C; ++c)
                    hidden[c] = std::max(hidden[c], 0.0f);
                std::copy(logitBias_.begin(), logitBias_.end(), logits.begin());
                matVecAccumulate(hidden.data(), C, logitWeight_.data(), K, logits.data());
                if (logitData)
                    for (int k = 0; k < K; ++k)
                        logitData[((size_t(b) * K + k) * H + i) * W + j] = logits[k];

                const int level = drawLevel(logits.data(), K, request.temperature, uniformAccess[b][i][j]);
                levelAccess[b][i][j] = uint8_t(level);
                const float value = float(level) / levelDivisor;
                imageRow[size_t(b) * (W + taps) + j + taps] = value;
                imageRowsData[(size_t(b) * (H + pad + 1) + i + pad + 1) * (W + 2 * pad) + j + pad] = value;
            }
            if (onPixel && !onPixel(i, j, levels))
                return levels;
        }
    }
    return levels;
}

}  // namespace pixelmix
