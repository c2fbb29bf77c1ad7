#include "config.h"

#include <stdexcept>

namespace pixelmix {

namespace {
void require(bool ok, const char* field, const QString& why)
{
    if (!ok)
        throw std::runtime_error(QStringLiteral("invalid config: %1 %2").arg(QLatin1String(field), why).toStdString());
}
int intField(const QJsonObject& json, const char* key, int fallback)
{
    const auto value = json.value(QLatin1String(key));
    if (value.isUndefined())
        return fallback;
    require(value.isDouble(), key, QStringLiteral("must be a number"));
    return value.toInt();
}
double doubleField(const QJsonObject& json, const char* key, double fallback)
{
    const auto value = json.value(QLatin1String(key));
    if (value.isUndefined())
        return fallback;
    require(value.isDouble(), key, QStringLiteral("must be a number"));
    return value.toDouble();
}
}  // namespace

QJsonObject ModelConfig::toJson() const
{
    return QJsonObject{{"channels", channels},   {"layers", layers},     {"kernel", kernel},
                       {"levels", levels},       {"classes", classes},   {"spatialChannels", spatialChannels},
                       {"height", height},       {"width", width},       {"dropout", dropout}};
}

ModelConfig ModelConfig::fromJson(const QJsonObject& json)
{
    ModelConfig c;
    c.channels = intField(json, "channels", c.channels);
    c.layers = intField(json, "layers", c.layers);
    c.kernel = intField(json, "kernel", c.kernel);
    c.levels = intField(json, "levels", c.levels);
    c.classes = intField(json, "classes", c.classes);
    c.spatialChannels = intField(json, "spatialChannels", c.spatialChannels);
    c.height = intField(json, "height", c.height);
    c.width = intField(json, "width", c.width);
    c.dropout = doubleField(json, "dropout", c.dropout);
    c.validate();
    return c;
}

void ModelConfig::validate() const
{
    require(channels >= 1 && channels <= 1024, "channels", QStringLiteral("must be in 1..1024"));
    require(layers >= 1 && layers <= 64, "layers", QStringLiteral("must be in 1..64"));
    require(kernel >= 1 && kernel <= 15 && kernel % 2 == 1, "kernel", QStringLiteral("must be odd, 1..15"));
    require(levels >= 2 && levels <= 256, "levels", QStringLiteral("must be in 2..256"));
    require(classes >= 1 && classes <= 1000, "classes", QStringLiteral("must be in 1..1000"));
    require(spatialChannels >= 0 && spatialChannels <= 256, "spatialChannels", QStringLiteral("must be in 0..256"));
    require(height >= 1 && height <= 256 && width >= 1 && width <= 256, "height/width", QStringLiteral("must be in 1..256"));
    require(dropout >= 0.0 && dropout < 1.0, "dropout", QStringLiteral("must be in [0, 1)"));
}

bool ModelConfig::operator==(const ModelConfig& o) const
{
    return channels == o.channels && layers == o.layers && kernel == o.kernel && levels == o.levels &&
           classes == o.classes && spatialChannels == o.spatialChannels && height == o.height &&
           width == o.width && dropout == o.dropout;
}

qint64 ModelConfig::parameterCount() const
{
    const qint64 c = channels, twoC = 2 * qint64(channels), taps = kernel / 2 + 1;
    qint64 count = qint64(classes) * spatialChannels * height * width;  // the per-class spatial maps
    for (int layer = 0; layer < layers; ++layer) {
        const qint64 in = layer == 0 ? 1 : c;
        count += twoC * (in * taps * kernel + 1);      // vertical conv
        count += twoC * (in * taps + 1);               // horizontal conv
        count += twoC * (twoC + 1);                    // vertical -> horizontal link
        count += c * (c + 1);                          // horizontal 1x1 before the residual
        count += 2 * twoC * (classes + spatialChannels);  // both conditioning terms of both gates
    }
    return count + c * (c + 1) + qint64(levels) * (c + 1);  // output head
}

QString ModelConfig::summary() const
{
    return QStringLiteral("%1 ch, %2 layers, %3x%3, %4 levels").arg(channels).arg(layers).arg(kernel).arg(levels);
}

QJsonObject TrainConfig::toJson() const
{
    return QJsonObject{{"batchSize", batchSize},
                       {"learningRate", learningRate},
                       {"epochs", epochs},
                       {"minutes", minutes},
                       {"augment", augment},
                       {"threads", threads},
                       {"seed", QString::number(seed)},
                       {"validationImages", validationImages}};
}

TrainConfig TrainConfig::fromJson(const QJsonObject& json)
{
    TrainConfig c;
    c.batchSize = intField(json, "batchSize", c.batchSize);
    c.learningRate = doubleField(json, "learningRate", c.learningRate);
    c.epochs = intField(json, "epochs", c.epochs);
    c.minutes = doubleField(json, "minutes", c.minutes);
    c.augment = json.value(QLatin1String("augment")).toBool(c.augment);
    c.threads = intField(json, "threads", c.threads);
    if (json.contains(QLatin1String("seed")))
        c.seed = json.value(QLatin1String("seed")).toString().toULongLong();
    c.validationImages = intField(json, "validationImages", c.validationImages);
    c.validate();
    return c;
}

void TrainConfig::validate() const
{
    require(batchSize >= 1 && batchSize <= 4096, "batch", QStringLiteral("must be in 1..4096"));
    require(learningRate > 0.0 && learningRate < 1.0, "lr", QStringLiteral("must be in (0, 1)"));
    require(epochs >= 0, "epochs", QStringLiteral("must be >= 0"));
    require(minutes >= 0.0, "minutes", QStringLiteral("must be >= 0"));
    require(threads >= 0 && threads <= 256, "threads", QStringLiteral("must be in 0..256"));
    require(validationImages >= 0, "validationImages", QStringLiteral("must be >= 0"));
}

}  // namespace pixelmix
