"""Repository-wide pytest plugins: the notebook image comparison runs inside nbval's run whichever
files are collected (``pytest chapters/01_mixtures.ipynb`` as well as ``make test``)."""

pytest_plugins = ["tests.test_notebook_images"]
