#pragma once
// Class-conditional gated PixelCNN (van den Oord et al. 2016) with vertical and horizontal stacks,
// so there is no blind spot. Causality lives in the shift helpers of pixelcnn.cpp:
//   vertical stack  v[i, j] sees input rows < i (a (k/2+1) x k window, shifted down one row),
//   horizontal stack h[i, j] sees input (i, < j) plus v[i, j].
// The conditioning vector (class weights, soft or one-hot) enters every gate twice: a per-layer
// projection of the vector, and a 1x1 projection of a learned per-class spatial map mixed by it.
#include "config.h"

#include <torch/torch.h>

namespace pixelmix {

// One gated layer: both stacks, each with its own conditioning terms added before its gate.
struct GatedLayerImpl : torch::nn::Module {
    GatedLayerImpl(const ModelConfig& config, bool first);

    // v, h: [B, Cin, H, W]; condition: [B, classes]; spatial: [B, S, H, W] (S may be 0).
    // Returns the new (v, h), each [B, C, H, W].
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& v, const torch::Tensor& h,
                                                    const torch::Tensor& condition,
                                                    const torch::Tensor& spatial);

    bool first;  // first layer: inputs are the image itself, shifted so a pixel never sees itself
    int pad;     // kernel / 2
    torch::nn::Conv2d verticalConv{nullptr};    // (pad+1) x k, Cin -> 2C
    torch::nn::Conv2d horizontalConv{nullptr};  // 1 x (pad+1), Cin -> 2C
    torch::nn::Conv2d verticalToHorizontal{nullptr};  // 1x1, 2C -> 2C, from v's pre-activation
    torch::nn::Conv2d horizontalOut{nullptr};   // 1x1, C -> C, before the residual
    torch::nn::Linear conditionVertical{nullptr};    // classes -> 2C
    torch::nn::Linear conditionHorizontal{nullptr};  // classes -> 2C
    torch::nn::Conv2d spatialVertical{nullptr};      // 1x1, S -> 2C (absent when S == 0)
    torch::nn::Conv2d spatialHorizontal{nullptr};    // 1x1, S -> 2C
    torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(GatedLayer);

struct PixelCNNImpl : torch::nn::Module {
    explicit PixelCNNImpl(const ModelConfig& config);

    // levels: [B, H, W] integer levels in [0, K); condition: [B, classes] class weights.
    // Returns logits [B, K, H, W].
    torch::Tensor forward(const torch::Tensor& levels, const torch::Tensor& condition);
    // The same on the scaled input x: [B, 1, H, W] float (differentiable, for causality tests).
    torch::Tensor forwardInput(const torch::Tensor& x, const torch::Tensor& condition);

    // The network's input: level / (K - 1), as [B, 1, H, W] float.
    torch::Tensor scaleInput(const torch::Tensor& levels) const;
    // The learned spatial maps mixed by the class weights: [B, S, H, W] (undefined when S == 0).
    torch::Tensor mixSpatial(const torch::Tensor& condition) const;

    const ModelConfig config;
    torch::Tensor spatialMaps;  // [classes, S, H, W]
    std::vector<GatedLayer> gatedLayers;
    torch::nn::Conv2d outputHidden{nullptr};  // 1x1, C -> C
    torch::nn::Conv2d outputLogits{nullptr};  // 1x1, C -> K
};
TORCH_MODULE(PixelCNN);

// Eval mode and no gradients while it lives; the module's previous mode comes back afterwards.
// Sampling and measuring use it so that they never see dropout, whatever state the model was in.
class InferenceScope {
public:
    explicit InferenceScope(PixelCNN& model) : model_(model), wasTraining_(model->is_training()) { model_->eval(); }
    ~InferenceScope() { model_->train(wasTraining_); }
    InferenceScope(const InferenceScope&) = delete;
    InferenceScope& operator=(const InferenceScope&) = delete;

private:
    PixelCNN& model_;
    bool wasTraining_;
    torch::NoGradGuard noGrad_;
};

// The gate tanh(a) * sigmoid(b) over the two channel halves of a [B, 2C, ...] tensor.
torch::Tensor gate(const torch::Tensor& preActivation);

// One-hot class weights [B, classes] for the given labels [B].
torch::Tensor oneHot(const torch::Tensor& labels, int classes);

}  // namespace pixelmix
