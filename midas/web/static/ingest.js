// The upload form's progress bar: htmx reports the upload's progress; the receipt (or the refusal, 422) is swapped in.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("ingest-progress");
  if (bar && event.detail.lengthComputable && event.detail.total > 0) {
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 422 && event.detail.target && event.detail.target.id === "ingest-receipt") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
