package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * An image classification set read from a pair of IDX files (images and labels), e.g.
 * Fashion-MNIST. Pixels are scaled to [0, 1]; targets are one-hot rows. Batches are drawn in a
 * seeded shuffled order, reshuffled every epoch.
 */
public final class LabeledImages implements BatchSource {

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private final IdxFile images;
    private final byte[] labels;
    private final int classes;
    private final int[] order;
    private final SplittableRandom rng;
    private int cursor;
    // x = (pixel/255 − shift)·scale; (0, 1) leaves pixels in [0, 1]
    private double shift = 0;
    private double scale = 1;
    private long epoch;

    public LabeledImages(IdxFile images, IdxFile labels, int classes, long seed) {
        if (labels.dims().length != 1) throw new IllegalArgumentException("labels must be one-dimensional");
        if (images.count() != labels.count()) {
            throw new IllegalArgumentException(images.count() + " images but " + labels.count() + " labels");
        }
        for (int i = 0; i < labels.count(); i++) {
            int y = labels.get(i, 0);
            if (y >= classes) throw new IllegalArgumentException("label " + y + " at " + i + " is not below " + classes);
        }
        this.images = images;
        this.labels = labels.data();
        this.classes = classes;
        this.order = new int[images.count()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        this.rng = new SplittableRandom(seed);
        shuffle();
    }

    /**
     * The training or test half of Fashion-MNIST in {@code dir}: {@code train-images-idx3-ubyte(.gz)}
     * and {@code train-labels-idx1-ubyte(.gz)}, or the {@code t10k-} pair.
     */
    public static LabeledImages fashionMnist(Path dir, boolean train, long seed) throws IOException {
        String prefix = train ? "train" : "t10k";
        return new LabeledImages(IdxFile.read(find(dir, prefix + "-images-idx3-ubyte")),
                IdxFile.read(find(dir, prefix + "-labels-idx1-ubyte")), 10, seed);
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : new String[]{base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IOException("neither " + base + " nor " + base + ".gz in " + dir
                + " (Debian: apt-get install dataset-fashion-mnist puts them in " + DEBIAN_FASHION_MNIST + ")");
    }

    /**
     * Standardizes pixels from now on: x = (pixel/255 − mean)/std, as torchvision's
     * {@code Normalize(mean, std)} does after {@code ToTensor()}. Give a test set the training
     * set's {@link #pixelMeanAndStd()}.
     */
    public void standardize(double mean, double std) {
        if (!Double.isFinite(mean) || !(std > 0 && Double.isFinite(std))) {
            throw new IllegalArgumentException("standardize needs a finite mean and a finite std > 0, got " + mean + ", " + std);
        }
        this.shift = mean;
        this.scale = 1 / std;
    }

    /** {mean, standard deviation} of pixel/255 over every pixel of every image. */
    public double[] pixelMeanAndStd() {
        byte[] px = images.data();
        long sum = 0, sumSq = 0;
        for (byte b : px) {
            int v = b & 0xFF;
            sum += v;
            sumSq += (long) v * v;
        }
        double n = px.length;
        double mean = sum / n, var = sumSq / n - mean * mean;
        return new double[]{mean / 255, Math.sqrt(Math.max(0, var)) / 255};
    }

    public int size() {
        return order.length;
    }

    public long epoch() {
        return epoch;
    }

    /** Class label of item {@code i} in file order. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    @Override
    public int inputDim() {
        return images.itemSize();
    }

    @Override
    public int outputDim() {
        return classes;
    }

    @Override
    public void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T) {
        X.reshape(batchSize, inputDim());
        T.reshape(batchSize, classes);
        T.zero();
        for (int r = 0; r < batchSize; r++) {
            if (cursor == order.length) {
                shuffle();
                epoch++;
            }
            int item = order[cursor++];
            copyItem(item, X, r);
            T.unsafe_set(r, labels[item] & 0xFF, 1.0);
        }
    }

    /** Writes items {@code from .. from+n-1} in file order (no shuffling), for evaluation. */
    public void slice(int from, int n, DMatrixRMaj X, int[] y) {
        X.reshape(n, inputDim());
        for (int r = 0; r < n; r++) {
            copyItem(from + r, X, r);
            y[r] = labels[from + r] & 0xFF;
        }
    }

    private void copyItem(int item, DMatrixRMaj X, int row) {
        int d = inputDim();
        byte[] px = images.data();
        double[] x = X.data;
        int src = item * d;
        int dst = row * d;
        for (int j = 0; j < d; j++) x[dst + j] = ((px[src + j] & 0xFF) / 255.0 - shift) * scale;
    }

    private void shuffle() {
        // Fisher–Yates
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        cursor = 0;
    }
}
