#include "cached_sampler.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstring>

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

// The hot loops of the sampler are compiled twice, for AVX2+FMA and for plain x86-64, and the
// processor picks at load time.
#define PIXELMIX_HOT __attribute__((target_clones("avx2", "default")))

constexpr int kOutputBlock = 16;  // outputs whose running sums stay in registers
constexpr int kImageBlock = 4;    // images that share each weight load

// out[i][n0 .. n0+16) += sum_m in[i][m] * weight[m][n] for Images images at once.
template <int Images>
__attribute__((always_inline)) inline void productBlock(const float* const* in, int inputs, const float* weight,
                                                        int outputs, int n0, float* const* out)
{
    float sum[Images][kOutputBlock];
    for (int i = 0; i < Images; ++i)
        for (int t = 0; t < kOutputBlock; ++t)
            sum[i][t] = out[i][n0 + t];
    for (int m = 0; m < inputs; ++m) {
        const float* row = weight + size_t(m) * outputs + n0;
        for (int i = 0; i < Images; ++i) {
            const float a = in[i][m];
            for (int t = 0; t < kOutputBlock; ++t)
                sum[i][t] += a * row[t];
        }
    }
    for (int i = 0; i < Images; ++i)
        for (int t = 0; t < kOutputBlock; ++t)
            out[i][n0 + t] = sum[i][t];
}

// out[i][n] += sum_m in[i][m] * weight[m][n] for `images` images (at most kImageBlock): a small
// matrix product whose weights are loaded once for all the images.
PIXELMIX_HOT void productAccumulate(const float* const* in, int images, int inputs, const float* weight,
                                    int outputs, float* const* out)
{
    int n0 = 0;
    for (; n0 + kOutputBlock <= outputs; n0 += kOutputBlock) {
        switch (images) {
        case 4: productBlock<4>(in, inputs, weight, outputs, n0, out); break;
        case 3: productBlock<3>(in, inputs, weight, outputs, n0, out); break;
        case 2: productBlock<2>(in, inputs, weight, outputs, n0, out); break;
        default: productBlock<1>(in, inputs, weight, outputs, n0, out); break;
        }
    }
    for (int i = 0; i < images; ++i)  // the remaining outputs (e.g. K logits)
        for (int m = 0; m < inputs; ++m) {
            const float a = in[i][m];
            const float* row = weight + size_t(m) * outputs;
            for (int n = n0; n < outputs; ++n)
                out[i][n] += a * row[n];
        }
}

// exp(x) for x <= 0 to about 2 ulp, branch-free so the gate loop vectorises (Cephes' expf:
// x = n ln2 + r, |r| <= ln2/2, a degree-6 polynomial for e^r, then scale by 2^n).
inline float expNonPositive(float x)
{
    x = std::max(x, -87.0f);
    const float n = std::floor(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const std::int32_t bits = (std::int32_t(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// gated[c] = tanh(pre[c]) * sigmoid(pre[C + c]), the gate of every layer.
PIXELMIX_HOT void gateInto(const float* __restrict pre, int channels, float* __restrict gated)
{
    for (int c = 0; c < channels; ++c) {
        const float a = pre[c], b = pre[channels + c];
        const float ea = expNonPositive(-2.0f * std::abs(a));  // tanh|a| = (1 - e^-2|a|) / (1 + e^-2|a|)
        const float tanhA = std::copysign((1.0f - ea) / (1.0f + ea), a);
        const float eb = expNonPositive(-std::abs(b));          // sigmoid via e^-|b|, never overflowing
        const float sigmoidB = b >= 0.0f ? 1.0f / (1.0f + eb) : eb / (1.0f + eb);
        gated[c] = tanhA * sigmoidB;
    }
}

}  // namespace

CachedSampler::CachedSampler(PixelCNNImpl& model) : model_(model)
{
    for (auto& gated : model.gatedLayers) {
        Layer layer;
        // verticalConv weight [2C, Cin, taps, k] -> [taps, k, Cin, 2C]: the im2col window's order.
        layer.verticalMatrix = gated->verticalConv->weight.detach().permute({2, 3, 1, 0}).reshape({-1, 2 * model.config.channels}).contiguous();
        layer.verticalBias = gated->verticalConv->bias.detach();
        layer.linkMatrix = gated->verticalToHorizontal->weight.detach().flatten(1).t().contiguous();  // [2C in, 2C out]
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

    // Per-layer conditioning terms and biases for every location, computed once, laid out
    // [H, B, W, 2C] so that row i of images first..last is one [(last-first) * W, 2C] matrix.
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
        verticalExtra.push_back(v.expand({B, twoC, H, W}).permute({2, 0, 3, 1}).contiguous());
        horizontalExtra.push_back(h.expand({B, twoC, H, W}).permute({2, 0, 3, 1}).contiguous());
    }

    // Vertical stack state, channels last: the image and each layer's v output, zero-padded so that
    // a (pad+1) x k window over padded rows i..i+pad is exactly what row i may see.
    // stores[0]: the image, x row r at padded row r+pad+1; stores[l+1]: v of layer l, row r at r+pad.
    std::vector<std::vector<float>> stores;
    std::vector<int> storeChannels, storeRows;
    for (int l = 0; l <= L; ++l) {
        storeChannels.push_back(l == 0 ? 1 : C);
        storeRows.push_back(l == 0 ? H + pad + 1 : H + pad);
        stores.emplace_back(size_t(B) * storeRows[l] * (W + 2 * pad) * storeChannels[l], 0.0f);
    }
    auto storeAt = [&](int store, int64_t b, int paddedRow, int paddedColumn) {
        return stores[store].data() +
               ((size_t(b) * storeRows[store] + paddedRow) * (W + 2 * pad) + paddedColumn) * storeChannels[store];
    };
    // Row-step buffers, one row per (image, column): the windows unrolled (im2col), the
    // pre-activations and the links.
    auto windows = torch::empty({B * W, taps * cfg.kernel * C});
    auto vertical = torch::empty({B * W, twoC});
    std::vector<torch::Tensor> links;  // per layer [B * W, 2C]: all the horizontal stack gets from v and h
    for (int l = 0; l < L; ++l)
        links.push_back(torch::empty({B * W, twoC}));

    // Horizontal stack state for the current row, [B][padded column][channels], left zero padding.
    std::vector<float> imageRow(size_t(B) * (W + taps));                 // x at padded column j+taps
    std::vector<std::vector<float>> hiddenRows(L, std::vector<float>(size_t(B) * (W + pad) * C));
    // Per-image scratch: pre-activation [2C], gated [C], hidden [C], logits [K].
    const size_t scratchPerImage = size_t(twoC + C + C + K);
    std::vector<float> scratch(size_t(B) * scratchPerImage);

    for (int i = 0; i < H; ++i) {
        // Images are independent, so each thread takes some of them through the whole row, vertical
        // and horizontal stacks alike: one hand-over per row, not per pixel or per product, which
        // keeps threads from waiting on each other on a busy machine. Inside the parallel region the
        // matrix products run on the calling thread.
        at::parallel_for(0, B, 1, [&](int64_t first, int64_t last) {
            const int64_t images = last - first;
            // --- Row step: advance the vertical stack of every layer by one row, as two matrix
            // products per layer over the row of these images: [n*W, window] x [window, 2C], then
            // the link [2C, 2C]. ---
            auto rowsOf = [&](const torch::Tensor& perImageColumn) {  // [B * W, ...] -> these images
                return perImageColumn.narrow(0, first * W, images * W);
            };
            for (int l = 0; l < L; ++l) {
                const int inChannels = storeChannels[l];
                const int windowSize = taps * cfg.kernel * inChannels;
                float* windowData = windows.data_ptr<float>();
                for (int64_t b = first; b < last; ++b)
                    for (int w = 0; w < W; ++w) {
                        float* row = windowData + (size_t(b) * W + w) * windows.size(1);
                        for (int t = 0; t < taps; ++t) {
                            const float* source = storeAt(l, b, i + t, w);  // k columns, channels last: contiguous
                            std::copy(source, source + cfg.kernel * inChannels, row + t * cfg.kernel * inChannels);
                        }
                    }
                auto verticalRows = rowsOf(vertical);
                torch::addmm_out(verticalRows, rowsOf(verticalExtra[l].select(0, i).view({B * W, twoC})),
                                 rowsOf(windows).narrow(1, 0, windowSize), layers_[l].verticalMatrix);
                const float* verticalData = vertical.data_ptr<float>();
                for (int64_t b = first; b < last; ++b)
                    for (int w = 0; w < W; ++w)
                        gateInto(verticalData + (size_t(b) * W + w) * twoC, C, storeAt(l + 1, b, i + pad, w + pad));
                auto linkRows = rowsOf(links[l]);
                torch::addmm_out(linkRows, rowsOf(horizontalExtra[l].select(0, i).view({B * W, twoC})), verticalRows,
                                 layers_[l].linkMatrix);
            }
            std::fill(imageRow.begin() + first * (W + taps), imageRow.begin() + last * (W + taps), 0.0f);
            for (auto& row : hiddenRows)
                std::fill(row.begin() + first * (W + pad) * C, row.begin() + last * (W + pad) * C, 0.0f);

            // --- Pixel steps: the horizontal stack and the head, for pixel (i, j) alone. ---
            for (int j = 0; j < W; ++j) {
                for (int64_t group = first; group < last; group += kImageBlock) {
                    const int n = int(std::min<int64_t>(kImageBlock, last - group));
                    // Per image of the group: its scratch and where its stacks live at (i, j).
                    const float* input[kImageBlock];
                    float *pre[kImageBlock], *gated[kImageBlock], *hidden[kImageBlock], *logits[kImageBlock];
                    float* out[kImageBlock];
                    for (int g = 0; g < n; ++g) {
                        pre[g] = scratch.data() + size_t(group + g) * scratchPerImage;
                        gated[g] = pre[g] + twoC;
                        hidden[g] = gated[g] + C;
                        logits[g] = hidden[g] + C;
                    }
                    auto hiddenAt = [&](int layer, int64_t b, int column) {  // h of a layer at (i, padded column)
                        return hiddenRows[layer].data() + (size_t(b) * (W + pad) + column) * C;
                    };
                    for (int l = 0; l < L; ++l) {
                        const Layer& layer = layers_[l];
                        for (int g = 0; g < n; ++g) {
                            const int64_t b = group + g;
                            const float* link = links[l].data_ptr<float>() + (size_t(b) * W + j) * twoC;
                            std::copy(link, link + twoC, pre[g]);
                            // The window: image columns j-taps .. j-1 on the first layer, the previous
                            // layer's columns j-pad .. j afterwards; both start at padded column j.
                            input[g] = l == 0 ? imageRow.data() + size_t(b) * (W + taps) + j : hiddenAt(l - 1, b, j);
                        }
                        productAccumulate(input, n, l == 0 ? taps : taps * C, layer.horizontalWeight.data(), twoC, pre);
                        for (int g = 0; g < n; ++g) {
                            gateInto(pre[g], C, gated[g]);
                            out[g] = hiddenAt(l, group + g, j + pad);
                            std::copy(layer.outBias.begin(), layer.outBias.end(), out[g]);
                        }
                        productAccumulate(gated, n, C, layer.outWeight.data(), C, out);
                        if (l > 0)  // residual
                            for (int g = 0; g < n; ++g) {
                                const float* previous = hiddenAt(l - 1, group + g, j + pad);
                                for (int c = 0; c < C; ++c)
                                    out[g][c] += previous[c];
                            }
                    }
                    // Output head: relu -> 1x1 -> relu -> 1x1 to K logits.
                    for (int g = 0; g < n; ++g) {
                        const float* top = hiddenAt(L - 1, group + g, j + pad);
                        for (int c = 0; c < C; ++c)
                            gated[g][c] = std::max(top[c], 0.0f);
                        std::copy(hiddenBias_.begin(), hiddenBias_.end(), hidden[g]);
                    }
                    productAccumulate(gated, n, C, hiddenWeight_.data(), C, hidden);
                    for (int g = 0; g < n; ++g) {
                        for (int c = 0; c < C; ++c)
                            hidden[g][c] = std::max(hidden[g][c], 0.0f);
                        std::copy(logitBias_.begin(), logitBias_.end(), logits[g]);
                    }
                    productAccumulate(hidden, n, C, logitWeight_.data(), K, logits);

                    for (int g = 0; g < n; ++g) {
                        const int64_t b = group + g;
                        if (logitData)
                            for (int k = 0; k < K; ++k)
                                logitData[((size_t(b) * K + k) * H + i) * W + j] = logits[g][k];
                        const int level = drawLevel(logits[g], K, request.temperature, uniformAccess[b][i][j]);
                        levelAccess[b][i][j] = uint8_t(level);
                        const float value = float(level) / levelDivisor;
                        imageRow[size_t(b) * (W + taps) + j + taps] = value;
                        *storeAt(0, b, i + pad + 1, j + pad) = value;
                    }
                }
            }
        });
        for (int j = 0; j < W; ++j)
            if (onPixel && !onPixel(i, j, levels))
                return levels;
    }
    return levels;
}

}  // namespace pixelmix
