// classify: the class posterior p(k | x) of images by Bayes' rule (uniform prior) and their bits/dim.
#include "cli_common.h"
#include "cli_model.h"
#include "dataset.h"
#include "error.h"
#include "likelihood.h"

#include <QImageReader>
#include <QJsonArray>

#include <climits>
#include <cmath>
#include <cstring>

namespace pixelmix::cli {

namespace {

// The image as the model's H x W gray bytes, converted (with a notice on stderr naming the file)
// when it is another size or in colour. Error naming the file when it cannot be read.
QImage readGrayImage(const QString& path, int height, int width, bool* converted)
{
    QImageReader reader(path);
    QImage image = reader.read();
    if (image.isNull())
        throw Error(QStringLiteral("%1: cannot read the image (%2)").arg(path, reader.errorString()));
    const QSize size(width, height);
    QStringList changes;
    if (image.hasAlphaChannel()) {
        // Transparent parts are background: composite over black, as MNIST digits are white on black.
        // Premultiplied colour is that colour drawn over black.
        image = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
        image.reinterpretAsFormat(QImage::Format_RGB32);
        changes << QStringLiteral("drawn over black (it has transparency)");
    }
    if (!image.allGray())
        changes << QStringLiteral("converted to grayscale (it is in colour)");
    // One tile as `sample` and `mix` write it (make_grid's black frame of 2 pixels): the digit is inside.
    constexpr int kFrame = 2;
    if (image.size() == size + QSize(2 * kFrame, 2 * kFrame)) {
        const QRect inner(QPoint(kFrame, kFrame), size);
        bool blackFrame = true;
        for (int y = 0; y < image.height() && blackFrame; ++y)
            for (int x = 0; x < image.width() && blackFrame; ++x)
                blackFrame = inner.contains(x, y) || qGray(image.pixel(x, y)) == 0;
        if (blackFrame) {
            image = image.copy(inner);
            changes << QStringLiteral("its black %1-pixel frame cropped").arg(kFrame);
        }
    }
    if (image.size() != size) {
        changes << QStringLiteral("scaled from %1x%2 to %3x%4").arg(image.width()).arg(image.height()).arg(width).arg(height);
        if (std::abs(std::log(double(image.width()) / image.height() / (double(width) / height))) > std::log(1.5))
            changes << QStringLiteral("squeezed out of shape, so the result says little");
        image = image.convertToFormat(QImage::Format_RGB32)
                    .scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    }
    *converted = !changes.isEmpty();
    if (*converted)
        printErr(QStringLiteral("note: %1: %2").arg(path, changes.join(QStringLiteral("; "))));
    return image.convertToFormat(QImage::Format_Grayscale8);
}

}  // namespace

int runClassify(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Classifies images by Bayes' rule: log p(x|k) for every class k (one forward pass per class), then "
        "p(k|x) with a uniform prior. Also prints bits/dim: under the mixture of all classes (uniform prior) "
        "and under the most probable class. Images should look like the training data (MNIST: a white digit "
        "on black); other sizes and colour images are converted to 28x28 grayscale, with a notice. Pixels are "
        "quantised to the model's levels as in training."));
    parser.addOptions({
        {"model", "Checkpoint to classify with (required).", "CKPT"},
        {"top", "Classes to list per image, most probable first (default: 3).", "N", "3"},
        {"json", "Print all numbers as one JSON document."},
    });
    parser.addPositionalArgument(QStringLiteral("images"), QStringLiteral("Images to classify (PNG, ...)."),
                                 QStringLiteral("IMAGE..."));
    parseArguments(parser, QStringLiteral("classify"), arguments, 1, INT_MAX);
    requireOptions(parser, {"model"});
    auto checkpoint = loadCheckpoint(parser.value("model"));
    const auto& c = checkpoint.model->config;
    const int top = intOption(parser, "top", 1, c.classes);
    const QStringList names = classNames(checkpoint);

    const QStringList files = parser.positionalArguments();
    const int64_t count = files.size();
    auto bytes = torch::empty({count, c.height, c.width}, torch::kUInt8);
    std::vector<bool> converted(files.size());
    for (int i = 0; i < files.size(); ++i) {
        bool wasConverted = false;
        const QImage image = readGrayImage(files[i], c.height, c.width, &wasConverted);
        converted[i] = wasConverted;
        for (int y = 0; y < c.height; ++y)
            std::memcpy(bytes[i][y].data_ptr<uint8_t>(), image.constScanLine(y), size_t(c.width));
    }

    // log p(x | k) in nats, a chunk of images at a time so that long lists show progress.
    constexpr int64_t kChunk = 32;
    auto logLikelihoods = torch::empty({count, c.classes}, torch::kFloat64);
    const auto levels = quantise(bytes, c.levels);
    Progress progress(QStringLiteral("classifying %1 images").arg(count), count);
    for (int64_t start = 0; start < count; start += kChunk) {
        const int64_t n = std::min(kChunk, count - start);
        logLikelihoods.narrow(0, start, n).copy_(classLogLikelihoods(checkpoint.model, levels.narrow(0, start, n)));
        if (count > kChunk)
            progress.update(start + n);
    }
    if (count > kChunk)
        progress.finish();
    const auto posterior = classPosterior(logLikelihoods);
    // Bits/dim: -log2 p(x) / D with p(x) = mean_k p(x | k), and -log2 p(x | best k) / D.
    const double perBit = double(c.height * c.width) * std::log(2.0);
    const auto marginal = -(torch::logsumexp(logLikelihoods, 1) - std::log(double(c.classes))) / perBit;
    const auto best = -std::get<0>(logLikelihoods.max(1)) / perBit;
    const auto order = posterior.argsort(1, true);

    QJsonArray imagesJson;
    for (int i = 0; i < files.size(); ++i) {
        QJsonArray topJson, posteriorJson, logLikJson;
        QStringList topText;
        for (int t = 0; t < top; ++t) {
            const int k = int(order[i][t].item<int64_t>());
            const double p = posterior[i][k].item<double>();
            topJson.append(QJsonObject{{"class", k}, {"name", names[k]}, {"probability", p}});
            topText << QStringLiteral("%1 %2").arg(classLabel(names, k)).arg(p, 0, 'f', 4);
        }
        for (int k = 0; k < c.classes; ++k) {
            posteriorJson.append(posterior[i][k].item<double>());
            logLikJson.append(logLikelihoods[i][k].item<double>());
        }
        const int predicted = int(order[i][0].item<int64_t>());
        if (parser.isSet("json")) {
            imagesJson.append(QJsonObject{{"file", files[i]},
                                          {"converted", bool(converted[i])},
                                          {"predicted", predicted},
                                          {"top", topJson},
                                          {"posterior", posteriorJson},
                                          {"logLikelihoods", logLikJson},
                                          {"bitsPerDim", marginal[i].item<double>()},
                                          {"bitsPerDimBestClass", best[i].item<double>()}});
        } else {
            printOut(QStringLiteral("%1: %2").arg(files[i], classLabel(names, predicted)));
            printOut(QStringLiteral("  posterior  %1").arg(topText.join(QStringLiteral(", "))));
            printOut(QStringLiteral("  bits/dim   %1 (all classes, uniform prior), %2 (class %3)")
                         .arg(marginal[i].item<double>(), 0, 'f', 4)
                         .arg(best[i].item<double>(), 0, 'f', 4)
                         .arg(classLabel(names, predicted)));
        }
    }
    if (parser.isSet("json"))
        printJson(QJsonObject{{"model", parser.value("model")},
                              {"classes", QJsonArray::fromStringList(names)},
                              {"images", imagesJson}});
    return 0;
}

}  // namespace pixelmix::cli
