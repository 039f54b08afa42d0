// Runs after require.js and before embed-amd.js on pages with widgets (nb_ipywidgets_js in
// _config.yml). Two fixes for showing ipywidgets 8 offline beside MathJax 3.
(function () {
  // 1. embed-amd.js fetches its Font Awesome files from beside the URI of its AMD module
  //    "@jupyter-widgets/html-manager/dist/...", which require.js resolves relative to the page
  //    (404). Map that module path to this folder, where web/fetch-widgets.sh put the fonts.
  var here = document.currentScript.src.replace(/\/[^/]*$/, "");
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": here } });

  // 2. Widgets typeset their labels with MathJax 2's `MathJax.Hub.Queue`; the book loads
  //    MathJax 3, which has no Hub ("Cannot read properties of undefined (reading 'Queue')").
  //    Give every object assigned to window.MathJax a small, non-enumerable Hub that forwards
  //    to MathJax 3's typesetPromise (MathJax replaces window.MathJax while it starts up).
  function queue() {
    for (var i = 0; i < arguments.length; i++) {
      var job = arguments[i];
      var mathjax = window.MathJax;
      if (Array.isArray(job) && job[0] === "Typeset" && mathjax && mathjax.typesetPromise) {
        mathjax.typesetPromise(job[2] ? [job[2]] : undefined).catch(function (err) {
          console.warn("MathJax could not typeset a widget label:", err);
        });
      }
    }
  }
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      Object.defineProperty(mathjax, "Hub", { value: { Queue: queue }, writable: true,
                                              configurable: true, enumerable: false });
    }
    return mathjax;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true, enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
})();
