package dev.gradwatch.trainer.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.): a magic number whose
 * third byte is the element type and fourth the number of dimensions, the dimensions as
 * big-endian ints, then the elements. Only unsigned bytes (type 0x08) are supported, which is
 * what those data sets use. Files ending in {@code .gz} are decompressed on the fly.
 *
 * @param dims the dimensions, e.g. {60000, 28, 28} for images or {60000} for labels
 * @param data the elements in row-major order, as unsigned values 0..255 stored in bytes
 */
public record IdxFile(int[] dims, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    /** Number of items (the first dimension). */
    public int count() {
        return dims[0];
    }

    /** Elements per item (the product of the other dimensions). */
    public int itemSize() {
        int n = 1;
        for (int i = 1; i < dims.length; i++) n *= dims[i];
        return n;
    }

    /** Element {@code j} of item {@code i}, 0..255. */
    public int get(int i, int j) {
        return data[i * itemSize() + j] & 0xFF;
    }

    public static IdxFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("IDX file " + file + " does not exist");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return read(in, file.toString());
        }
    }

    static IdxFile read(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException(name + ": empty file, expected an IDX header");
        }
        if ((magic >>> 16) != 0) {
            throw new IOException(name + ": not an IDX file (magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x000008NN)");
        }
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new IOException(name + ": element type 0x" + Integer.toHexString(type)
                    + " is not supported, expected 0x08 (unsigned byte)");
        }
        if (rank < 1 || rank > 4) throw new IOException(name + ": " + rank + " dimensions, expected 1 to 4");
        int[] dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) throw new IOException(name + ": negative dimension " + dims[i]);
            total *= dims[i];
        }
        if (total > Integer.MAX_VALUE - 8) throw new IOException(name + ": " + total + " elements is too many");
        byte[] data = new byte[(int) total];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new IOException(name + ": truncated, expected " + total + " elements after the header");
        }
        return new IdxFile(dims, data);
    }
}
