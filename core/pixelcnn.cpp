#include "pixelcnn.h"

namespace F = torch::nn::functional;

namespace pixelmix {

namespace {

// --- Causal shift helpers: the only places that decide what a pixel may see. ---

// Vertical stack input: pad so a (pad+1) x k kernel at row i covers rows i-pad-extra .. i-extra.
// extra = 1 on the first layer (the image itself: row i must not be seen), 0 afterwards (v rows
// already only hold rows above). Output keeps [B, C, H, W].
torch::Tensor padVertical(const torch::Tensor& x, int pad, bool first)  // [B, C, H, W]
{
    const int64_t height = x.size(2);
    auto padded = F::pad(x, F::PadFuncOptions({pad, pad, pad + (first ? 1 : 0), 0}));
    return first ? padded.narrow(2, 0, height + pad) : padded;  // drop the last row: it is row i itself
}

// Horizontal stack input: pad left so a 1 x (pad+1) kernel at column j covers columns
// j-pad-extra .. j-extra (extra = 1 on the first layer, where the input is the image).
torch::Tensor padHorizontal(const torch::Tensor& x, int pad, bool first)  // [B, C, H, W]
{
    const int64_t width = x.size(3);
    auto padded = F::pad(x, F::PadFuncOptions({pad + (first ? 1 : 0), 0, 0, 0}));
    return first ? padded.narrow(3, 0, width + pad) : padded;
}

torch::nn::Conv2d conv(int in, int out, int kh, int kw, bool bias = true)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, {kh, kw}).bias(bias));
}

}  // namespace

torch::Tensor gate(const torch::Tensor& preActivation)
{
    auto halves = preActivation.chunk(2, 1);
    return torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
}

torch::Tensor oneHot(const torch::Tensor& labels, int classes)
{
    return F::one_hot(labels.to(torch::kLong), classes).to(torch::kFloat32);
}

GatedLayerImpl::GatedLayerImpl(const ModelConfig& c, bool isFirst) : first(isFirst), pad(c.kernel / 2)
{
    const int in = first ? 1 : c.channels;
    const int twoC = 2 * c.channels;
    verticalConv = register_module("verticalConv", conv(in, twoC, pad + 1, c.kernel));
    horizontalConv = register_module("horizontalConv", conv(in, twoC, 1, pad + 1));
    verticalToHorizontal = register_module("verticalToHorizontal", conv(twoC, twoC, 1, 1));
    horizontalOut = register_module("horizontalOut", conv(c.channels, c.channels, 1, 1));
    conditionVertical = register_module("conditionVertical",
                                        torch::nn::Linear(torch::nn::LinearOptions(c.classes, twoC).bias(false)));
    conditionHorizontal = register_module("conditionHorizontal",
                                          torch::nn::Linear(torch::nn::LinearOptions(c.classes, twoC).bias(false)));
    if (c.spatialChannels > 0) {
        spatialVertical = register_module("spatialVertical", conv(c.spatialChannels, twoC, 1, 1, false));
        spatialHorizontal = register_module("spatialHorizontal", conv(c.spatialChannels, twoC, 1, 1, false));
    }
    dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
}

std::pair<torch::Tensor, torch::Tensor> GatedLayerImpl::forward(const torch::Tensor& v, const torch::Tensor& h,
                                                                const torch::Tensor& condition,
                                                                const torch::Tensor& spatial)
{
    const int64_t batch = v.size(0);
    // Conditioning terms, shared by every pixel ([B, 2C, 1, 1]) or per location ([B, 2C, H, W]).
    auto conditionV = conditionVertical(condition).view({batch, -1, 1, 1});
    auto conditionH = conditionHorizontal(condition).view({batch, -1, 1, 1});

    auto vertical = verticalConv(padVertical(v, pad, first)) + conditionV;  // [B, 2C, H, W]
    if (spatialVertical)
        vertical = vertical + spatialVertical(spatial);
    auto horizontal = horizontalConv(padHorizontal(h, pad, first)) + verticalToHorizontal(vertical) + conditionH;
    if (spatialHorizontal)
        horizontal = horizontal + spatialHorizontal(spatial);

    auto vOut = gate(vertical);                                   // [B, C, H, W]
    auto hOut = horizontalOut(dropout(gate(horizontal)));         // [B, C, H, W]
    if (!first)
        hOut = hOut + h;  // residual on the horizontal stack
    return {vOut, hOut};
}

PixelCNNImpl::PixelCNNImpl(const ModelConfig& c) : config(c)
{
    config.validate();
    if (c.spatialChannels > 0)
        spatialMaps = register_parameter("spatialMaps",
                                         torch::randn({c.classes, c.spatialChannels, c.height, c.width}) * 0.1);
    for (int i = 0; i < c.layers; ++i)
        gatedLayers.push_back(register_module("gated" + std::to_string(i), GatedLayer(c, i == 0)));
    outputHidden = register_module("outputHidden", conv(c.channels, c.channels, 1, 1));
    outputLogits = register_module("outputLogits", conv(c.channels, c.levels, 1, 1));
}

torch::Tensor PixelCNNImpl::scaleInput(const torch::Tensor& levels) const
{
    return (levels.to(torch::kFloat32) / float(config.levels - 1)).unsqueeze(1);  // [B, 1, H, W]
}

torch::Tensor PixelCNNImpl::mixSpatial(const torch::Tensor& condition) const
{
    if (!spatialMaps.defined())
        return {};
    const int64_t batch = condition.size(0);
    return condition.matmul(spatialMaps.view({config.classes, -1}))
        .view({batch, config.spatialChannels, config.height, config.width});  // [B, S, H, W]
}

torch::Tensor PixelCNNImpl::forward(const torch::Tensor& levels, const torch::Tensor& condition)
{
    TORCH_CHECK(levels.dim() == 3 && levels.size(1) == config.height && levels.size(2) == config.width,
                "expected levels [B, ", config.height, ", ", config.width, "]");
    return forwardInput(scaleInput(levels), condition);
}

torch::Tensor PixelCNNImpl::forwardInput(const torch::Tensor& x, const torch::Tensor& condition)
{
    TORCH_CHECK(condition.dim() == 2 && condition.size(0) == x.size(0) && condition.size(1) == config.classes,
                "expected condition [B, ", config.classes, "]");
    const auto spatial = mixSpatial(condition);
    auto v = x;
    auto h = x;
    for (auto& layer : gatedLayers)
        std::tie(v, h) = layer->forward(v, h, condition, spatial);
    return outputLogits(torch::relu(outputHidden(torch::relu(h))));  // [B, K, H, W]
}

}  // namespace pixelmix
