package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Layers applied one after the other; itself a layer, so blocks can nest. */
public final class Sequential implements Layer {

    private final String name;
    private final List<Layer> layers;
    private final List<Parameter> parameters;

    public Sequential(String name, List<? extends Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException(name + ": needs at least one layer");
        this.name = name;
        this.layers = List.copyOf(layers);
        List<Parameter> ps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Layer l : this.layers) {
            if (!names.add(l.name())) throw new IllegalArgumentException(name + ": duplicate layer name " + l.name());
            ps.addAll(l.parameters());
        }
        this.parameters = List.copyOf(ps);
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        DMatrixRMaj A = X;
        for (int i = 0; i < layers.size(); i++) A = layers.get(i).forward(A);
        return A;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dA) {
        DMatrixRMaj d = dA;
        for (int i = layers.size() - 1; i >= 0; i--) d = layers.get(i).backward(d);
        return d;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        layers.get(0).setInputGradientNeeded(needed);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "sequential";
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public List<Layer> sublayers() {
        return layers;
    }
}
