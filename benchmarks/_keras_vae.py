"""Train the Keras 3 twin of aekit's conv VAE (preset ``keras-io-conv``); print JSON.

Internal helper of ``benchmarks/vae.py --compare keras``, run in a subprocess per
backend on the very array aekit trained on. Layer for layer like
:class:`aekit.nn.variational.VariationalAutoEncoderModule` with a conv backbone:
stride-2 3×3 ReLU convolutions (32, 64), a dense ReLU layer of 16, μ and log σ²
dense heads, z = μ + σ·ε, a dense ReLU layer back to 7×7×64, stride-2 3×3
"same" ReLU transposed convolutions (64, 32) and a 3×3 output convolution giving
Bernoulli logits. Loss per image: summed binary cross-entropy + KL (nats), as in
the keras.io example; Adam 1e-3, batch 128, Glorot-uniform weights.
"""

from __future__ import annotations

from _keras_common import fit_and_report, parse_args, start_keras


def main() -> None:
    def options(parser):
        parser.add_argument("--train", required=True)
        parser.add_argument("--latent-dim", type=int, default=2)

    args = parse_args(options, epochs=30, batch_size=128)
    keras = start_keras(args)
    import numpy as np
    from keras import layers, ops

    X = np.load(args.train)[..., None]

    class Sampling(layers.Layer):
        """z = μ + σ·ε, adding the KL term to the model's losses."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(args.seed)

        def call(self, inputs):
            mu, logvar = inputs
            kl = 0.5 * ops.sum(ops.square(mu) + ops.exp(logvar) - 1.0 - logvar, axis=1)
            self.add_loss(ops.mean(kl))
            eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)
            return mu + ops.exp(0.5 * logvar) * eps

    inputs = keras.Input(shape=X.shape[1:])
    h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
    h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(h)
    shape = tuple(int(s) for s in h.shape[1:])
    h = layers.Flatten()(h)
    h = layers.Dense(16, activation="relu")(h)
    mu = layers.Dense(args.latent_dim)(h)
    logvar = layers.Dense(args.latent_dim)(h)
    z = Sampling()([mu, logvar])
    h = layers.Dense(int(np.prod(shape)), activation="relu")(z)
    h = layers.Reshape(shape)(h)
    h = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(h)
    logits = layers.Conv2D(X.shape[-1], 3, padding="same")(h)
    model = keras.Model(inputs, logits)

    def summed_bce(y_true, y_logits):
        bce = ops.binary_crossentropy(y_true, y_logits, from_logits=True)
        return ops.sum(bce, axis=(1, 2, 3))

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=summed_bce)

    fit_and_report(keras, model, X, X, args)


if __name__ == "__main__":
    main()
