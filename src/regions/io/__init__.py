"""Files and models in and out.

* :mod:`~regions.io.networks`: network files (the ``.npz`` contract, and models by suffix);
* :mod:`~regions.io.torch_model`, :mod:`~regions.io.onnx_model`: PyTorch and ONNX models as
  networks, through the layer construction of :mod:`~regions.io.conversion`;
* :mod:`~regions.io.partitions`: partitions as JSON or ``.npz``, graphs as GraphML/GEXF/JSON;
* :mod:`~regions.io.checkpoint`: checkpoints of a running enumeration.
"""

__all__ = ["checkpoint", "conversion", "networks", "onnx_model", "partitions", "torch_model"]
