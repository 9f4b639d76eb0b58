"""mlnotes-dataset: notes listed by the datasets they use (``datasets: COCO, ImageNet``)."""

from mlnotes_dataset.facet import DatasetFacet

__all__ = ["DatasetFacet"]
