#pragma once
// IDX files (the MNIST format): big-endian header, then unsigned bytes. Readers accept raw or
// gzip-compressed files (told apart by their first bytes, not by their names) and check everything
// a damaged or hostile file could get wrong; every problem is a pixelmix::Error naming the file.
#include <QByteArray>
#include <QString>

#include <memory>

namespace pixelmix {

// Labels are class indices of a 10-class data set (digits, Fashion-MNIST).
constexpr int kIdxLabelClasses = 10;
// Largest side accepted from an IDX header; MNIST-like data is 28x28.
constexpr int kIdxMaxSide = 1024;

struct IdxImages {
    int count = 0;
    int rows = 0;
    int cols = 0;
    QByteArray pixels;  // count * rows * cols bytes, image after image, row-major
};

struct IdxLabels {
    QByteArray labels;  // one byte per image, each < kIdxLabelClasses
    int count() const { return int(labels.size()); }
};

IdxImages readIdxImages(const QString& path);
IdxLabels readIdxLabels(const QString& path);
// Raw (uncompressed) files, written atomically: a reader never sees half a file.
void writeIdxImages(const QString& path, const IdxImages& images);
void writeIdxLabels(const QString& path, const IdxLabels& labels);
// Throws unless there is exactly one label per image.
void checkPair(const IdxImages& images, const IdxLabels& labels, const QString& imagesPath,
               const QString& labelsPath);

// Reads a file that may be gzip-compressed (one or more members), piece by piece, so that callers
// decide how much they are willing to accept before anything is allocated.
class MaybeGzipReader {
public:
    explicit MaybeGzipReader(const QString& path);  // throws Error if the file cannot be opened
    ~MaybeGzipReader();
    MaybeGzipReader(const MaybeGzipReader&) = delete;
    MaybeGzipReader& operator=(const MaybeGzipReader&) = delete;

    bool isGzip() const;
    // Up to maxBytes of (decompressed) content; 0 only at the end. Throws Error on corrupt or
    // truncated compressed data and on read errors.
    qint64 read(char* buffer, qint64 maxBytes);
    // Reads until `buffer` holds `size` bytes or the content ends; returns the bytes read.
    qint64 readFully(char* buffer, qint64 size);

private:
    struct State;
    std::unique_ptr<State> state;
};

}  // namespace pixelmix
