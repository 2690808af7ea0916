"""LSTM sequence-to-sequence autoencoders.

The encoder reads a sequence of ``seq_len`` steps of ``n_features`` values and
keeps one vector, its final state; the decoder unrolls that vector back into a
sequence (Sutskever, Vinyals & Le, "Sequence to Sequence Learning with Neural
Networks", NIPS 2014; as an autoencoder: Srivastava, Mansimov & Salakhutdinov,
"Unsupervised Learning of Video Representations using LSTMs", ICML 2015). Two
decoders are offered:

- ``"repeat"`` (Keras' ``RepeatVector``): the code is the decoder's input at every
  step. One fused LSTM call, no Python loop over time, and training and inference
  run the same computation. This is the sentence autoencoder of the Packt chapter
  (Gulli, Kapoor & Pal, "Deep Learning with TensorFlow 2 and Keras", 2nd ed.,
  2019, ch. 9).
- ``"teacher_forcing"``: the decoder's state starts from the code and its input
  at step ``t`` is the sequence's value at ``t - 1`` (zeros at ``t = 0``) — the
  conditional decoder of Srivastava et al. and the decoder of Malhotra et al.,
  "LSTM-based Encoder-Decoder for Multi-sensor Anomaly Detection", ICML 2016
  Anomaly Detection Workshop. At inference no target exists, so each step is fed
  the decoder's own previous output, one step at a time.

Like every aekit module it takes *flattened* samples ``(batch, seq_len *
n_features)`` and reshapes them itself (``docs/decisions/0005``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from .layers import AEOutput, activation_layer

MERGE_MODES = ("sum", "concat", "mean")
DECODERS = ("repeat", "teacher_forcing")


def keras_lstm_init(lstm: nn.LSTM) -> None:
    """Initialise ``lstm`` as Keras initialises its ``LSTM`` layer.

    Input kernels Glorot-uniform (Glorot & Bengio, AISTATS 2010), recurrent
    kernels orthogonal (Saxe, McClelland & Ganguli, ICLR 2014), biases zero except
    the forget gate's, which is 1 (``unit_forget_bias=True``; Jozefowicz, Zaremba &
    Sutskever, "An Empirical Exploration of Recurrent Network Architectures", ICML
    2015). PyTorch has two bias vectors per layer whose sum is the gate bias; the
    1 goes into ``bias_ih`` only. PyTorch's gate order (input, forget, cell,
    output) is Keras' order, so the forget slice is ``[units : 2 * units]``.
    """
    units = lstm.hidden_size
    for name, param in lstm.named_parameters():
        with torch.no_grad():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(param)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(param)
            elif name.startswith("bias"):
                param.zero_()
                if name.startswith("bias_ih"):
                    param[units : 2 * units] = 1.0


def _linear(n_in: int, n_out: int) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def merge_directions(
    forward: torch.Tensor, backward: torch.Tensor, mode: str
) -> torch.Tensor:
    """Combine the two directions of a bidirectional LSTM (Keras ``merge_mode``)."""
    if mode == "sum":
        return forward + backward
    if mode == "mean":
        return 0.5 * (forward + backward)
    return torch.cat([forward, backward], dim=-1)


@contextlib.contextmanager
def _differentiable_rnn(x: torch.Tensor) -> Iterator[None]:
    """Run the LSTM on PyTorch's native kernels when ``x`` itself needs a gradient.

    An input that requires a gradient means a Jacobian with respect to the data is
    being taken (the contractive penalty). cuDNN's fused LSTM has no double
    backward and refuses to backpropagate in eval mode (pytorch/pytorch#5261,
    #15788), so on CUDA such passes use the native implementation, which supports
    both; every other pass keeps the fused kernel. On the CPU this is a no-op.
    """
    if x.requires_grad and x.is_cuda:
        with torch.backends.cudnn.flags(enabled=False):
            yield
    else:
        yield


class SequenceAutoEncoderModule(nn.Module):
    """LSTM encoder → one code vector → LSTM decoder → sequence.

    Parameters
    ----------
    n_features : int
        Values per time step (50 for the chapter's GloVe vectors, 1 for a
        univariate series).
    seq_len : int
        Time steps per sequence.
    encoder_units : int, default=512
        Hidden units of each encoder LSTM direction (the chapter's
        ``LATENT_SIZE``); also of the decoder when ``output_projection=True``.
    bidirectional : bool, default=True
        Bidirectional encoder, and for ``decoder="repeat"`` a bidirectional
        decoder; the teacher-forcing decoder is always one-directional (it
        generates left to right).
    merge_mode : {"sum", "concat", "mean"}, default="sum"
        How the two directions are combined (Keras' ``Bidirectional(merge_mode)``;
        ``"mean"`` is Keras' ``"ave"``). Ignored when ``bidirectional=False``.
    code_size : int or None, default=None
        ``None``: the code is the merged final encoder state, of width
        ``encoder_units`` (``2 * encoder_units`` for ``"concat"``), as in Keras'
        ``Bidirectional(LSTM(units))``. An int adds a linear bottleneck of that
        width on top.
    decoder : {"repeat", "teacher_forcing"}, default="repeat"
        See the module docstring.
    output_projection : bool, default=True
        ``True``: the decoder LSTM has ``encoder_units`` units and a linear layer
        applied at every step (Keras ``TimeDistributed(Dense(n_features))``)
        maps its merged output to ``n_features``. ``False``: the decoder LSTM has
        ``n_features`` units and its merged output *is* the reconstruction — the
        chapter's ``Bidirectional(LSTM(EMBED_SIZE), merge_mode="sum")``. An LSTM
        output lies in (-1, 1), so the reconstruction is confined to (-2, 2) for
        ``"sum"`` and (-1, 1) otherwise: data beyond that range cannot be
        reconstructed (1.8% of the values of the 5000 most frequent 50-d GloVe
        vectors exceed 2 in magnitude). Needs ``merge_mode`` "sum" or "mean"
        when the decoder is bidirectional.
    num_layers : int, default=1
        Stacked LSTM layers in the encoder and in the decoder.

    Attributes
    ----------
    code_dim : int
        Width of the code returned by :meth:`encode`.

    Notes
    -----
    The code of a bidirectional encoder is what Keras returns with
    ``return_sequences=False``: the forward direction's output at the last step
    and the backward direction's output at the first step (its final state, having
    read the sequence right to left), merged. Both are read from the LSTM's final
    hidden state ``h_n``, so no per-step output is materialised for the code.

    Cost and the train/inference mismatch of ``"teacher_forcing"``: training runs
    the decoder as one fused call over the shifted target, as cheap as
    ``"repeat"``; inference (``eval()`` mode: validation loss, ``transform`` is
    unaffected, ``reconstruct``, ``decode``) loops over the ``seq_len`` steps in
    Python, one LSTM call per step, feeding back the decoder's own outputs. A
    decoder trained only on true previous values has never seen its own errors,
    which then compound along the sequence ("exposure bias"; Bengio et al.,
    "Scheduled Sampling for Sequence Prediction with Recurrent Neural
    Networks", NIPS 2015), so its validation loss is usually higher than its
    training loss for this reason alone.
    """

    def __init__(
        self,
        n_features: int,
        seq_len: int,
        encoder_units: int = 512,
        bidirectional: bool = True,
        merge_mode: str = "sum",
        code_size: int | None = None,
        decoder: str = "repeat",
        output_projection: bool = True,
        num_layers: int = 1,
    ) -> None:
        super().__init__()
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {MERGE_MODES}")
        if decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {DECODERS}")
        self.n_features = int(n_features)
        self.seq_len = int(seq_len)
        self.bidirectional = bool(bidirectional)
        self.merge_mode = merge_mode
        self.decoder_kind = decoder
        self.num_layers = int(num_layers)
        encoder_units = int(encoder_units)

        self.encoder = nn.LSTM(
            self.n_features,
            encoder_units,
            num_layers=self.num_layers,
            batch_first=True,
            bidirectional=self.bidirectional,
        )
        state_width = self._merged_width(encoder_units, self.bidirectional)
        self.code_layer = None if code_size is None else _linear(state_width, code_size)
        self.code_dim = state_width if code_size is None else int(code_size)

        decoder_bidirectional = self.bidirectional and decoder == "repeat"
        if not output_projection and decoder_bidirectional and merge_mode == "concat":
            raise ValueError(
                "output_projection=False makes the decoder's merged output the "
                "reconstruction, which needs merge_mode='sum' or 'mean' (concat "
                "would double its width)"
            )
        units = encoder_units if output_projection else self.n_features
        self.decoder = nn.LSTM(
            self.code_dim if decoder == "repeat" else self.n_features,
            units,
            num_layers=self.num_layers,
            batch_first=True,
            bidirectional=decoder_bidirectional,
        )
        self.decoder_bidirectional = decoder_bidirectional
        self.initial_state = (
            _linear(self.code_dim, 2 * self.num_layers * units)
            if decoder == "teacher_forcing"
            else None
        )
        out_width = self._merged_width(units, decoder_bidirectional)
        self.projection = (
            _linear(out_width, self.n_features) if output_projection else None
        )
        self.output_activation = activation_layer("linear")
        keras_lstm_init(self.encoder)
        keras_lstm_init(self.decoder)

    def _merged_width(self, units: int, bidirectional: bool) -> int:
        return 2 * units if bidirectional and self.merge_mode == "concat" else units

    def _as_sequences(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, seq_len * n_features)`` → ``(batch, seq_len, n_features)``."""
        expected = self.seq_len * self.n_features
        if x.dim() != 2 or x.shape[1] != expected:
            raise ValueError(
                f"expected flattened sequences of shape (batch, {expected}) = "
                f"{self.seq_len} steps x {self.n_features} features, got "
                f"{tuple(x.shape)}"
            )
        return x.reshape(x.shape[0], self.seq_len, self.n_features)

    # ------------------------------------------------------------------ encoder
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Map flattened sequences ``(batch, seq_len * n_features)`` to codes."""
        with _differentiable_rnn(x):
            _, (h_n, _) = self.encoder(self._as_sequences(x))
        if self.bidirectional:
            # h_n: (num_layers * 2, batch, units); the last layer's two directions.
            state = merge_directions(h_n[-2], h_n[-1], self.merge_mode)
        else:
            state = h_n[-1]
        return state if self.code_layer is None else self.code_layer(state)

    # ------------------------------------------------------------------ decoder
    def _output(self, hidden: torch.Tensor) -> torch.Tensor:
        """Decoder LSTM outputs ``(batch, steps, dirs * units)`` → data values."""
        if self.decoder_bidirectional:
            forward, backward = hidden.chunk(2, dim=-1)
            hidden = merge_directions(forward, backward, self.merge_mode)
        return hidden if self.projection is None else self.projection(hidden)

    def _initial_state(self, code: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forcing decoder state from the code: ``h0 = tanh(W c)``, ``c0``
        linear (``h`` of an LSTM always lies in (-1, 1), its cell state does not).
        """
        assert self.initial_state is not None
        h0, c0 = self.initial_state(code).chunk(2, dim=-1)
        shape = (code.shape[0], self.num_layers, self.decoder.hidden_size)
        h0 = torch.tanh(h0).reshape(shape).transpose(0, 1).contiguous()
        return h0, c0.reshape(shape).transpose(0, 1).contiguous()

    def _teacher_forced(self, code: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """One fused decoder pass fed the target shifted right by one step."""
        shifted = torch.cat(
            [target.new_zeros(target.shape[0], 1, self.n_features), target[:, :-1]],
            dim=1,
        )
        hidden, _ = self.decoder(shifted, self._initial_state(code))
        return self._output(hidden)

    def _free_running(self, code: torch.Tensor) -> torch.Tensor:
        """Generate step by step, feeding back the previous output (inference)."""
        state = self._initial_state(code)
        step = code.new_zeros(code.shape[0], 1, self.n_features)
        outputs = []
        for _ in range(self.seq_len):
            hidden, state = self.decoder(step, state)
            step = self._output(hidden)
            outputs.append(step)
        return torch.cat(outputs, dim=1)

    def decode_logits(self, code: torch.Tensor) -> torch.Tensor:
        """Flattened reconstruction ``(batch, seq_len * n_features)`` from codes.

        The output is linear, so this equals :meth:`decode`. The teacher-forcing
        decoder runs free (it has no target to be fed).
        """
        if self.decoder_kind == "repeat":
            repeated = code.unsqueeze(1).expand(-1, self.seq_len, -1)
            hidden, _ = self.decoder(repeated)
            out = self._output(hidden)
        else:
            out = self._free_running(code)
        return out.reshape(code.shape[0], -1)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """Map codes back to flattened sequences."""
        return self.output_activation(self.decode_logits(code))

    def forward(self, x: torch.Tensor) -> AEOutput:
        """Encode and decode; in training mode the teacher-forcing decoder is fed
        the input shifted by one step, in eval mode its own outputs."""
        code = self.encode(x)
        if self.decoder_kind == "teacher_forcing" and self.training:
            logits = self._teacher_forced(code, self._as_sequences(x))
            logits = logits.reshape(x.shape[0], -1)
        else:
            logits = self.decode_logits(code)
        return AEOutput(code=code, logits=logits, activation=self.output_activation)
