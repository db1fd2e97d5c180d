// The delegate's phone pages (thidua/conferences/vote_views.py). Without this script every page still
// works: the code is typed, and the confirmation is one more request drawn by the server.
(function () {
  "use strict";

  // 1. The QR code on a voting card opens /bo-phieu/<conference>/#<code>: the code sits in the URL's
  // fragment, which the browser never sends to the server. Move it out of the address bar (and history),
  // so it is not left on the phone's screen, and open the ballot at once: the page carries every open
  // poll's ballot, so no request is needed before the cast, which reads the card (issue 14, part 6).
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

  // The code as thidua/conferences/codes.py `normalize` reads it, or null.
  function normalize(text) {
    var code = text.replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
    if (code.length !== 16) return null;
    for (var i = 0; i < code.length; i++) {
      if (ALPHABET.indexOf(code.charAt(i)) < 0) return null;
    }
    return code;
  }

  // A choice's place for this card: thidua/conferences/ballot_page.py `rank`, the same 32 bits.
  function rank(pollPk, code, key) {
    var bytes = new TextEncoder().encode(pollPk + ":" + code + ":" + key);
    var value = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      value = Math.imul(value ^ bytes[i], 0x01000193) >>> 0;
    }
    value = (value ^ (value >>> 16)) >>> 0;
    value = Math.imul(value, 0x85ebca6b) >>> 0;
    value = (value ^ (value >>> 13)) >>> 0;
    value = Math.imul(value, 0xc2b2ae35) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  }

  var content = document.getElementById("content");
  // The ballots the first page carries stay with the page when a ballot replaces what it shows, so that
  // another card scanned into the same tab opens its own ballot the same way.
  var templates = Array.prototype.slice.call(document.querySelectorAll("template.ballot-template"));
  templates.forEach(function (template) { document.body.appendChild(template); });
  var conferenceTitle = document.title.slice(document.title.indexOf(" — ") + 3);

  function show(nodes, title) {
    while (content.firstChild) content.removeChild(content.firstChild);
    nodes.forEach(function (node) { content.appendChild(node); });
    document.title = title + " — " + conferenceTitle;
    var problem = document.getElementById("problem");
    if (problem) problem.parentNode.removeChild(problem);
    var heading = content.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function openBallot(template, code) {
    var poll = template.getAttribute("data-poll-pk");
    var copy = template.content.cloneNode(true);
    copy.querySelector('input[name="code"]').value = code;
    var fieldset = copy.querySelector("fieldset");
    var blank = fieldset.querySelector("label.blank");
    var labels = Array.prototype.slice.call(fieldset.querySelectorAll("label.choice:not(.blank)"));
    // A motion keeps its answers' usual order (ballot_page.py, voter_order).
    if (template.hasAttribute("data-fixed-order")) labels = [];
    labels
      .map(function (label) {
        var key = label.querySelector("input").value;
        return { label: label, key: key, place: rank(poll, code, key) };
      })
      .sort(function (a, b) {
        return a.place - b.place || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      })
      .forEach(function (item) { fieldset.insertBefore(item.label, blank); });
    show(Array.prototype.slice.call(copy.childNodes), template.getAttribute("data-title"));
    ballot(document.getElementById("ballot"));
  }

  function choosePoll(templates, code) {
    var heading = document.createElement("h1");
    heading.textContent = "Nội dung đang mở bỏ phiếu";
    var nodes = [heading];
    templates.forEach(function (template) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "big";
      button.textContent = template.getAttribute("data-title");
      button.addEventListener("click", function () { openBallot(template, code); });
      var item = document.createElement("p");
      item.className = "vote-item";
      item.appendChild(button);
      nodes.push(item);
    });
    show(nodes, heading.textContent);
  }

  // This phone remembers which polls a card has voted in, so that scanning it again does not offer a
  // ballot the server would refuse. What is kept says nothing of the choice, and not the code either:
  // only the poll and 32 bits of a hash of the code.
  function votedKey(poll, code) {
    return "thidua-voted:" + poll + ":" + rank(poll, code, "voted");
  }

  function voted(poll, code) {
    try {
      return window.localStorage.getItem(votedKey(poll, code)) !== null;
    } catch (error) {
      return false; // storage refused (a private window): the server still refuses a second vote
    }
  }

  function rememberVote() {
    var receipt = document.getElementById("receipt");
    var input = document.querySelector('input[name="code"]');
    var code = input && normalize(input.value);
    if (!receipt || !code) return;
    try {
      window.localStorage.setItem(votedKey(receipt.getAttribute("data-poll"), code), "1");
    } catch (error) {
      // Nothing to remember with: the server still refuses a second vote.
    }
  }

  function nothingLeft() {
    var heading = document.createElement("h1");
    heading.textContent = "Bạn đã bỏ phiếu";
    var words = document.createElement("p");
    words.className = "lead";
    words.textContent = "Hiện không có nội dung nào chờ bạn bỏ phiếu.";
    show([heading, words], heading.textContent);
  }

  function takeCode() {
    var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (!fragment) return;
    history.replaceState(null, "", window.location.pathname);
    var code = normalize(fragment);
    if (code && templates.length) {
      var waiting = templates.filter(function (template) {
        return !voted(template.getAttribute("data-poll-pk"), code);
      });
      if (!waiting.length) nothingLeft();
      else if (waiting.length === 1) openBallot(waiting[0], code);
      else choosePoll(waiting, code);
      return;
    }
    // No ballot on this page to open (no poll open when it was drawn, a code that cannot be one, another
    // card scanned into a tab showing a receipt): post the code, and the server answers.
    var input = document.getElementById("code");
    var form = input && input.form;
    if (!form) {
      form = document.createElement("form");
      form.method = "post";
      form.action = window.location.pathname;
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "code";
      form.appendChild(input);
      document.body.appendChild(form);
    }
    input.value = fragment;
    form.submit();
  }

  // 2. A problem the server found takes the focus (autofocus does it too, where the browser honours it
  // on a paragraph), and the field it is about says so.
  var problem = document.getElementById("problem");
  if (problem) problem.focus();

  // 3. The ballot: Enter ticks a choice and never sends the form; the blank ballot excludes the other
  // choices; "Tiếp tục" shows the confirmation on the page, naming the poll and the choice, with no
  // request; "Chọn lại" hides it again, keeping the order and the choice.
  function ballot(form) {
    if (!form) return;
    var inputs = Array.prototype.slice.call(form.querySelectorAll('input[name="choice"]:not([type="hidden"])'));
    var next = document.getElementById("next");
    var panel = document.getElementById("confirm");
    var picked = document.getElementById("picked");
    var cast = document.getElementById("cast");
    var again = document.getElementById("again");
    var message = document.getElementById("ballot-problem");
    var poll = form.getAttribute("data-poll");
    var maxPicks = parseInt(form.getAttribute("data-max-picks"), 10);
    // The server drew the confirmation (a refused script, a reload): its "Chọn lại" goes to the server.
    var drawnByServer = !panel.hidden;

    function chosen() {
      return inputs.filter(function (input) { return input.checked; });
    }

    function say(words) {
      message.textContent = words;
      message.hidden = false;
      message.focus();
    }

    function closeConfirmation() {
      panel.hidden = true;
      next.hidden = false;
    }

    inputs.forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        if (input.type === "checkbox" || !input.checked) input.click();
      });
      input.addEventListener("change", function () {
        if (input.type === "checkbox" && input.checked) {
          inputs.forEach(function (other) {
            var blank = input.value === "blank" || other.value === "blank";
            if (other !== input && blank) other.checked = false;
          });
        }
        message.hidden = true;
        // A confirmation naming the former choice must not stay on the screen.
        if (!drawnByServer) closeConfirmation();
      });
    });

    next.addEventListener("click", function (event) {
      event.preventDefault();
      var picks = chosen();
      if (!picks.length) {
        say(form.getAttribute("data-nothing"));
        return;
      }
      var real = picks.filter(function (input) { return input.value !== "blank"; });
      if (maxPicks && real.length > maxPicks) {
        say("Chỉ được chọn tối đa " + maxPicks + " phương án; phiếu đã chọn " + real.length + ".");
        return;
      }
      var words = picks.map(function (input) { return input.getAttribute("data-label"); }).join(", ");
      picked.textContent = words;
      cast.textContent = "Bỏ phiếu «" + poll + "»: chọn " + words;
      message.hidden = true;
      next.hidden = true;
      panel.hidden = false;
      panel.focus();
    });

    again.addEventListener("click", function (event) {
      if (drawnByServer) return;
      event.preventDefault();
      closeConfirmation();
      (chosen()[0] || inputs[0]).focus();
    });
  }

  ballot(document.getElementById("ballot"));
  rememberVote();
  takeCode();
  // A second card scanned into the same tab changes only the fragment: no page load, so listen for it.
  window.addEventListener("hashchange", takeCode);
})();
