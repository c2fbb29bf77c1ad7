#include "idx.h"

#include "error.h"

#include <QFile>
#include <QSaveFile>
#include <QtEndian>

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace pixelmix {

namespace {

constexpr quint32 kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr quint32 kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr qint64 kInputChunk = 64 * 1024;
// Real IDX files compress 2 to 10 times; content that inflates more than this (plus a megabyte of
// slack for tiny files) is a gzip bomb behind a lying header, refused before it fills memory.
constexpr qint64 kMaxGzipExpansion = 100;

QString hex(quint32 value)
{
    return QStringLiteral("0x%1").arg(value, 8, 16, QLatin1Char('0'));
}

quint32 bigEndianAt(const char* bytes, int index)
{
    return qFromBigEndian<quint32>(bytes + 4 * index);
}

// Reads the fixed-size header: the magic number first, so a file of the wrong kind is named as
// such rather than as "too short".
void readHeader(MaybeGzipReader& reader, const QString& path, quint32 expectedMagic,
                const QString& kind, char* header, int headerBytes)
{
    const qint64 got = reader.readFully(header, headerBytes);
    if (got >= 4 && bigEndianAt(header, 0) != expectedMagic)
        throw Error(QStringLiteral("%1: not an IDX %2 file: magic number %3, expected %4")
                        .arg(path, kind, hex(bigEndianAt(header, 0)), hex(expectedMagic)));
    if (got < headerBytes)
        throw Error(QStringLiteral("%1: too short for an IDX %2 header: %3 of %4 bytes")
                        .arg(path, kind)
                        .arg(got)
                        .arg(headerBytes));
}

// Reads exactly `claimedBytes`. Memory follows the data that actually arrives (at most twice that,
// and never beyond the claim), so a header claiming gigabytes in a tiny file allocates next to
// nothing; one more read then proves the content ends where the header says (which also stops a
// gzip bomb right there).
QByteArray readPayload(MaybeGzipReader& reader, qint64 claimedBytes, const QString& path,
                       const QString& claim)
{
    QByteArray payload;
    QByteArray chunk(int(std::min(claimedBytes, kInputChunk)), Qt::Uninitialized);
    while (payload.size() < claimedBytes) {
        const qint64 wanted = std::min<qint64>(chunk.size(), claimedBytes - payload.size());
        const qint64 got = reader.read(chunk.data(), wanted);
        if (got == 0)
            throw Error(QStringLiteral("%1: truncated: header claims %2 but the file holds %3%4")
                            .arg(path, claim)
                            .arg(payload.size())
                            .arg(reader.isGzip() ? QStringLiteral(" (decompressed)") : QString()));
        if (payload.size() + got > payload.capacity())
            payload.reserve(std::min(claimedBytes, 2 * (payload.size() + got)));
        payload.append(chunk.constData(), got);
    }
    char probe;
    if (reader.read(&probe, 1) > 0)
        throw Error(QStringLiteral("%1: trailing data: header claims %2 but the file holds more%3")
                        .arg(path, claim,
                             reader.isGzip() ? QStringLiteral(" (decompressed)") : QString()));
    return payload;
}

void writeAtomically(const QString& path, const QByteArray& header, const QByteArray& payload)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(header) != header.size()
        || file.write(payload) != payload.size() || !file.commit())
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
}

QByteArray bigEndianHeader(std::initializer_list<quint32> fields)
{
    QByteArray header(int(4 * fields.size()), Qt::Uninitialized);
    char* out = header.data();
    for (quint32 field : fields) {
        qToBigEndian(field, out);
        out += 4;
    }
    return header;
}

}  // namespace

// --- MaybeGzipReader ---------------------------------------------------------------------------

struct MaybeGzipReader::State {
    QString path;
    QFile file;
    bool gzip = false;
    z_stream inflater{};
    QByteArray input;
    // Set at the end of a gzip member: the content ends cleanly here unless another member follows.
    bool betweenMembers = false;
    qint64 inflated = 0;     // content bytes produced so far, over all members
    qint64 maxInflated = 0;  // kMaxGzipExpansion times the file, plus slack
};

MaybeGzipReader::MaybeGzipReader(const QString& path) : state(std::make_unique<State>())
{
    state->path = path;
    state->file.setFileName(path);
    if (!state->file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, state->file.errorString()));
    char magic[2];
    const qint64 got = state->file.read(magic, 2);
    state->gzip = got == 2 && quint8(magic[0]) == 0x1f && quint8(magic[1]) == 0x8b;
    if (!state->file.seek(0))
        throw Error(QStringLiteral("%1: cannot read: %2").arg(path, state->file.errorString()));
    if (state->gzip) {
        // 16 + MAX_WBITS: gzip wrapper only, with its CRC and length checked at each member's end.
        if (inflateInit2(&state->inflater, 16 + MAX_WBITS) != Z_OK)
            throw Error(QStringLiteral("%1: cannot start gzip decompression").arg(path));
        state->input.resize(kInputChunk);
        state->maxInflated = kMaxGzipExpansion * state->file.size() + (qint64(1) << 20);
    }
}

MaybeGzipReader::~MaybeGzipReader()
{
    if (state->gzip)
        inflateEnd(&state->inflater);
}

bool MaybeGzipReader::isGzip() const
{
    return state->gzip;
}

qint64 MaybeGzipReader::read(char* buffer, qint64 maxBytes)
{
    if (maxBytes <= 0)
        return 0;
    if (!state->gzip) {
        const qint64 got = state->file.read(buffer, maxBytes);
        if (got < 0)
            throw Error(QStringLiteral("%1: cannot read: %2").arg(state->path, state->file.errorString()));
        return got;
    }
    z_stream& z = state->inflater;
    const uInt wanted = uInt(std::min<qint64>(maxBytes, UINT_MAX));
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = wanted;
    while (z.avail_out == wanted) {
        if (z.avail_in == 0) {
            const qint64 got = state->file.read(state->input.data(), state->input.size());
            if (got < 0)
                throw Error(QStringLiteral("%1: cannot read: %2").arg(state->path, state->file.errorString()));
            if (got == 0) {
                if (state->betweenMembers)
                    return 0;
                throw Error(QStringLiteral("%1: truncated gzip data: the compressed stream ends early")
                                .arg(state->path));
            }
            z.next_in = reinterpret_cast<Bytef*>(state->input.data());
            z.avail_in = uInt(got);
        }
        if (state->betweenMembers) {
            inflateReset(&z);
            state->betweenMembers = false;
        }
        const int status = inflate(&z, Z_NO_FLUSH);
        if (status == Z_STREAM_END)
            state->betweenMembers = true;
        else if (status != Z_OK && status != Z_BUF_ERROR)
            throw Error(QStringLiteral("%1: corrupt gzip data: %2")
                            .arg(state->path, QString::fromLatin1(z.msg ? z.msg : "inflate failed")));
    }
    const qint64 produced = wanted - z.avail_out;
    state->inflated += produced;
    if (state->inflated > state->maxInflated)
        throw Error(QStringLiteral("%1: implausible gzip data: it inflates to more than %2 times its %3 bytes")
                        .arg(state->path)
                        .arg(kMaxGzipExpansion)
                        .arg(state->file.size()));
    return produced;
}

qint64 MaybeGzipReader::readFully(char* buffer, qint64 size)
{
    qint64 filled = 0;
    while (filled < size) {
        const qint64 got = read(buffer + filled, size - filled);
        if (got == 0)
            break;
        filled += got;
    }
    return filled;
}

// --- IDX ---------------------------------------------------------------------------------------

IdxImages readIdxImages(const QString& path)
{
    MaybeGzipReader reader(path);
    char header[16];
    readHeader(reader, path, kImagesMagic, QStringLiteral("image"), header, sizeof header);
    const quint32 count = bigEndianAt(header, 1);
    const quint32 rows = bigEndianAt(header, 2);
    const quint32 cols = bigEndianAt(header, 3);
    if (count < 1 || count > quint32(INT_MAX) || rows < 1 || rows > quint32(kIdxMaxSide) || cols < 1
        || cols > quint32(kIdxMaxSide))
        throw Error(QStringLiteral("%1: implausible header: %2 images of %3x%4 (accepted: 1 to %5 "
                                   "images, sides 1 to %6)")
                        .arg(path)
                        .arg(count)
                        .arg(rows)
                        .arg(cols)
                        .arg(INT_MAX)
                        .arg(kIdxMaxSide));
    const qint64 bytes = qint64(count) * rows * cols;
    const QString claim =
        QStringLiteral("%1 images of %2x%3 (%4 bytes)").arg(count).arg(rows).arg(cols).arg(bytes);

    IdxImages images;
    images.count = int(count);
    images.rows = int(rows);
    images.cols = int(cols);
    images.pixels = readPayload(reader, bytes, path, claim);
    return images;
}

IdxLabels readIdxLabels(const QString& path)
{
    MaybeGzipReader reader(path);
    char header[8];
    readHeader(reader, path, kLabelsMagic, QStringLiteral("label"), header, sizeof header);
    const quint32 count = bigEndianAt(header, 1);
    if (count < 1 || count > quint32(INT_MAX))
        throw Error(QStringLiteral("%1: implausible header: %2 labels (accepted: 1 to %3)")
                        .arg(path)
                        .arg(count)
                        .arg(INT_MAX));

    IdxLabels labels;
    labels.labels = readPayload(reader, count, path, QStringLiteral("%1 labels").arg(count));
    const auto* values = reinterpret_cast<const quint8*>(labels.labels.constData());
    const auto* bad = std::find_if(values, values + count,
                                   [](quint8 label) { return label >= kIdxLabelClasses; });
    if (bad != values + count)
        throw Error(QStringLiteral("%1: label %2 at index %3 is outside 0..%4")
                        .arg(path)
                        .arg(*bad)
                        .arg(bad - values)
                        .arg(kIdxLabelClasses - 1));
    return labels;
}

void writeIdxImages(const QString& path, const IdxImages& images)
{
    if (images.count < 1 || images.rows < 1 || images.cols < 1
        || images.pixels.size() != qint64(images.count) * images.rows * images.cols)
        throw Error(QStringLiteral("%1: cannot write %2 images of %3x%4 from %5 bytes of pixels")
                        .arg(path)
                        .arg(images.count)
                        .arg(images.rows)
                        .arg(images.cols)
                        .arg(images.pixels.size()));
    writeAtomically(path,
                    bigEndianHeader({kImagesMagic, quint32(images.count), quint32(images.rows),
                                     quint32(images.cols)}),
                    images.pixels);
}

void writeIdxLabels(const QString& path, const IdxLabels& labels)
{
    if (labels.count() < 1)
        throw Error(QStringLiteral("%1: cannot write an empty label file").arg(path));
    writeAtomically(path, bigEndianHeader({kLabelsMagic, quint32(labels.count())}), labels.labels);
}

void checkPair(const IdxImages& images, const IdxLabels& labels, const QString& imagesPath,
               const QString& labelsPath)
{
    if (images.count != labels.count())
        throw Error(QStringLiteral("%1 holds %2 images but %3 holds %4 labels")
                        .arg(imagesPath)
                        .arg(images.count)
                        .arg(labelsPath)
                        .arg(labels.count()));
}

}  // namespace pixelmix
