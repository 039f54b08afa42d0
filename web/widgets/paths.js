// Runs after require.js, before embed-amd.js (see nb_ipywidgets_js in _config.yml).
// embed-amd.js fetches its Font Awesome files from beside the URI of its AMD module
// "@jupyter-widgets/html-manager/dist/...", which require.js would resolve relative to the
// page (and 404). Map that module path to this folder, where the fonts are.
(function () {
  var here = document.currentScript.src.replace(/\/[^/]*$/, "");
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": here } });
})();
