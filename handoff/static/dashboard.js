// Keeps a counselor's typed reply through refreshes and navigation, and refreshes the queue and an open
// thread in place.
"use strict";

(function () {
  // Each kept text is stored with the counselor who typed it (data-counselor on the page's body). An explicit
  // logout removes that counselor's texts from the browser (after a confirm when there are any); a session
  // that ended keeps them for the same counselor's next login, and anyone else logging in on this browser
  // has them removed before any page could show them: on a shared office PC the next person never reads an
  // unsent reply to a resident.
  var PREFIX = "yorisoi-draft:";
  var NOTE_PREFIX = "yorisoi-note:";

  function counselor() {
    return document.body.getAttribute("data-counselor") || "";
  }

  function readEntry(key) {
    // {text, key?, owner?}; a note kept before owners were recorded is a plain string.
    var raw = window.localStorage.getItem(key);
    if (raw === null) {
      return null;
    }
    try {
      var entry = JSON.parse(raw);
      return entry && typeof entry === "object" ? entry : { text: String(entry) };
    } catch (error) {
      return { text: raw };
    }
  }

  function keptKeys() {
    var keys = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var key = window.localStorage.key(i);
      if (key && (key.indexOf(PREFIX) === 0 || key.indexOf(NOTE_PREFIX) === 0)) {
        keys.push(key);
      }
    }
    return keys;
  }

  function isMine(entry, name) {
    return !entry.owner || entry.owner === name; // one kept before owners were recorded: this browser's user
  }

  function forgetOthers(name) {
    keptKeys().forEach(function (key) {
      var entry = readEntry(key);
      if (entry && !isMine(entry, name)) {
        window.localStorage.removeItem(key);
      }
    });
  }

  function myKeys(name) {
    return keptKeys().filter(function (key) {
      var entry = readEntry(key);
      return entry && isMine(entry, name) && String(entry.text || "").trim();
    });
  }

  function readDraft(threadId) {
    var entry = readEntry(PREFIX + threadId);
    return entry && isMine(entry, counselor()) ? entry : null;
  }

  function saveDraft(threadId, text, retryKey) {
    if (text) {
      var entry = { text: text, key: retryKey, owner: counselor() };
      window.localStorage.setItem(PREFIX + threadId, JSON.stringify(entry));
    } else {
      window.localStorage.removeItem(PREFIX + threadId);
    }
  }

  function guardLogout() {
    // Logging out: the texts this counselor kept are named first (they would be lost) and then removed.
    var form = document.querySelector("form.logout");
    var name = counselor();
    if (!form || !name) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var keys = myKeys(name);
      var warning = form.getAttribute("data-drafts-warning") || "";
      if (keys.length && !window.confirm(warning.replace("{count}", String(keys.length)))) {
        event.preventDefault();
        return;
      }
      keptKeys().forEach(function (key) {
        var entry = readEntry(key);
        if (entry && isMine(entry, name)) {
          window.localStorage.removeItem(key);
        }
      });
    });
  }

  function sayKeptAtLogin() {
    // The login page after a session ended: say that typed text waits here (it is not lost silently).
    var note = document.getElementById("drafts-kept");
    if (note && keptKeys().some(function (key) {
      var entry = readEntry(key);
      return entry && String(entry.text || "").trim();
    })) {
      note.hidden = false;
    }
  }

  function restore(box, saved) {
    // What the page came with (a reply refused and shown again, a canned text) and what was typed before it
    // was loaded: neither is thrown away. The same text twice (a refused reply was saved as it was typed) once.
    var shown = box.value.replace(/\s+$/, "");
    var kept = saved.replace(/\s+$/, "");
    if (!kept || shown === kept || shown.indexOf(kept) !== -1) {
      return;
    }
    box.value = shown && kept.indexOf(shown) === -1 ? kept + "\n" + shown : kept;
  }

  function keepDrafts() {
    var box = document.querySelector("textarea[data-draft]");
    if (!box) {
      return;
    }
    var threadId = box.getAttribute("data-draft");
    var keyField = box.form.querySelector("input[name=retry_key]");
    var retryKey = keyField ? keyField.value : "";
    var saved = readDraft(threadId);
    if (saved && saved.key && document.querySelector('[data-retry-key="' + saved.key + '"]')) {
      saved = null; // that draft was sent: it is in the transcript
      window.localStorage.removeItem(PREFIX + threadId);
    }
    if (saved && saved.text) {
      restore(box, saved.text);
    }
    saveDraft(threadId, box.value, retryKey);
    box.addEventListener("input", function () {
      saveDraft(threadId, box.value, retryKey);
    });
    var canned = document.querySelector("form.canned");
    if (canned) {
      // Put the canned text into the reply box in place, so nothing typed is lost to a page load.
      canned.addEventListener("submit", function (event) {
        var option = canned.querySelector("select option:checked");
        if (!option) {
          return;
        }
        event.preventDefault();
        var text = option.getAttribute("data-text") || "";
        box.value = box.value ? box.value.replace(/\s+$/, "") + "\n" + text : text;
        saveDraft(threadId, box.value, retryKey);
        box.focus();
      });
    }
  }

  function keepUnsent() {
    // A thread closed (or its resident's data deleted) while a reply was being typed: the page has no reply
    // box any more, so the typed text is shown read-only to copy, until the counselor discards it.
    var box = document.querySelector("textarea[data-unsent]");
    if (!box) {
      return;
    }
    var threadId = box.getAttribute("data-unsent");
    var saved = readDraft(threadId);
    if (saved && saved.text) {
      restore(box, saved.text);
    }
    var holder = document.getElementById("unsent");
    if (!box.value) {
      return;
    }
    saveDraft(threadId, box.value, saved ? saved.key : "");
    holder.hidden = false;
    document.getElementById("discard-unsent").addEventListener("click", function () {
      window.localStorage.removeItem(PREFIX + threadId);
      holder.hidden = true;
    });
  }

  function keepNote() {
    // A note being written survives a refresh or navigation too; once it is in the notes list it is done.
    var box = document.querySelector("textarea[data-note-draft]");
    if (!box) {
      return;
    }
    var key = NOTE_PREFIX + box.getAttribute("data-note-draft");
    var entry = readEntry(key);
    var saved = entry && isMine(entry, counselor()) ? String(entry.text || "") : "";
    var added = Array.prototype.some.call(document.querySelectorAll(".notes .text"), function (note) {
      return note.textContent.trim() === saved.trim();
    });
    if (saved && added) {
      window.localStorage.removeItem(key);
    } else if (saved) {
      restore(box, saved);
    }
    box.addEventListener("input", function () {
      if (box.value) {
        window.localStorage.setItem(key, JSON.stringify({ text: box.value, owner: counselor() }));
      } else {
        window.localStorage.removeItem(key);
      }
    });
  }

  function forgetClosedDraft() {
    var closed = new URLSearchParams(window.location.search).get("closed");
    if (closed) {
      window.localStorage.removeItem(PREFIX + closed);
      window.history.replaceState(null, "", window.location.pathname);
    }
  }

  function poll(element, onData) {
    // Every data-interval ms (10 s), the JSON at data-poll, handed to onData; a failed fetch waits for the next.
    window.setInterval(function () {
      fetch(element.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data) {
            onData(data);
          }
        })
        .catch(function () {});
    }, Number(element.getAttribute("data-interval") || "10000"));
  }

  function pollQueue() {
    var list = document.getElementById("queue-list");
    if (!list) {
      return;
    }
    var count = document.getElementById("queue-count");
    var template = count ? count.textContent.replace(/[0-9]+/, "{count}") : "";
    poll(list, function (data) {
      list.innerHTML = data.html;
      if (count) {
        count.textContent = template.replace("{count}", String(data.count));
      }
    });
  }

  function pollThread() {
    // The transcript and heading of an open thread, refreshed in place: what the resident writes while the
    // counselor types (and a thread turned urgent) shows without a reload; the reply box is left alone.
    var list = document.getElementById("thread-messages");
    var head = document.getElementById("thread-head");
    if (!list || !head) {
      return;
    }
    var shown = null;
    poll(list, function (data) {
      head.innerHTML = data.head;
      if (data.html !== shown) {
        list.innerHTML = data.html; // new messages and delivery states
        shown = data.html;
      }
      if (data.kinds) {
        markCanned(data.kinds);
      }
    });
  }

  function markCanned(kinds) {
    // A thread that turned urgent (or gained a kind) while open: the canned replies for its kinds are
    // marked and listed first, as on a fresh load; the one chosen stays chosen.
    var select = document.getElementById("canned");
    if (!select || select.getAttribute("data-thread-kinds") === kinds.join(" ")) {
      return;
    }
    select.setAttribute("data-thread-kinds", kinds.join(" "));
    var mark = select.getAttribute("data-fits-mark") || "";
    var options = Array.prototype.slice.call(select.options);
    var fitting = [];
    var general = [];
    var rest = [];
    options.forEach(function (option) {
      var own = (option.getAttribute("data-kinds") || "").split(" ").filter(Boolean);
      var fits = own.some(function (kind) {
        return kinds.indexOf(kind) !== -1;
      });
      option.classList.toggle("fits", fits);
      option.textContent = (fits ? mark : "") + (option.getAttribute("data-title") || "");
      (fits ? fitting : own.length ? rest : general).push(option);
    });
    var chosen = select.value;
    var untouched = chosen === options[0].value; // still the first one offered: offer the first that fits
    fitting.concat(general, rest).forEach(function (option) {
      select.appendChild(option);
    });
    select.value = untouched && fitting.length ? fitting[0].value : chosen;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (counselor()) {
      forgetOthers(counselor());
    }
    sayKeptAtLogin();
    guardLogout();
    keepDrafts();
    keepUnsent();
    keepNote();
    forgetClosedDraft();
    pollQueue();
    pollThread();
  });
})();
