(function () {
  "use strict";
  // The report's only script. It reads its data from the JSON block (never from markup),
  // seeks the recording when a word or the timeline is clicked, and highlights the word
  // being played. It changes classes and SVG attributes only, so the CSP needs no inline styles.
  document.documentElement.classList.add("js");
  var dataNode = document.getElementById("report-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : { words: [], duration: 0 };
  var starts = data.words.map(function (w) { return w[0]; });
  var wordNodes = document.querySelectorAll(".transcript .w");
  var audio = document.getElementById("player");
  var svg = document.getElementById("timeline-svg");
  var head = document.getElementById("playhead");
  var current = -1;

  function wordAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (found >= 0 && t > data.words[found][1] + 0.35) { return -1; }
    return found;
  }

  function highlight(i) {
    if (i === current) { return; }
    if (current >= 0 && wordNodes[current]) { wordNodes[current].classList.remove("playing"); }
    current = i;
    if (i >= 0 && wordNodes[i]) { wordNodes[i].classList.add("playing"); }
  }

  function moveHead(t) {
    if (!head || !data.duration) { return; }
    var x = Math.max(0, Math.min(1, t / data.duration)) * 1000;
    head.setAttribute("x1", x.toFixed(1));
    head.setAttribute("x2", x.toFixed(1));
  }

  function seek(t) {
    moveHead(t);
    highlight(wordAt(t));
    if (!audio) { return; }
    try { audio.currentTime = t; } catch (e) { return; }
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }

  Array.prototype.forEach.call(wordNodes, function (node) {
    node.addEventListener("click", function () {
      var i = Number(node.getAttribute("data-i"));
      if (data.words[i]) { seek(data.words[i][0]); }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".seek[data-i]"), function (node) {
    node.addEventListener("click", function () {
      var i = Number(node.getAttribute("data-i"));
      if (data.words[i]) { seek(data.words[i][0]); }
    });
  });

  if (svg) {
    svg.classList.add("seekable");
    svg.addEventListener("click", function (event) {
      var box = svg.getBoundingClientRect();
      if (!box.width) { return; }
      seek(((event.clientX - box.left) / box.width) * data.duration);
    });
  }

  if (audio) {
    audio.addEventListener("timeupdate", function () {
      moveHead(audio.currentTime);
      highlight(wordAt(audio.currentTime));
    });
  }
})();
