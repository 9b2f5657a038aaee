/* replyd comment widget: <div data-replyd data-site="blog"></div> + <script src=".../embed.js" defer>.
   No framework, no cookies, no third-party requests. Renders into a shadow root so host styles
   cannot break it and it cannot break the host. */
(function () {
  "use strict";
  // All user-facing strings live here.
  var STRINGS = {
    en: {
      comments: function (n) { return n === 1 ? "1 Comment" : n + " Comments"; },
      leave: "Leave a Reply", replyTo: "Reply to {name}", cancel: "Cancel reply", reply: "Reply",
      required: "Required fields are marked", star: "*",
      name: "Name", email: "Email", website: "Website", comment: "Comment",
      emailNote: "Your email address will not be published.",
      notify: "Notify me of follow-up comments by email",
      save: "Save my name, email, and website in this browser for the next time I comment.",
      post: "Post Comment", posting: "Posting…",
      awaiting: "Your comment is awaiting moderation.", moderator: "Moderator",
      deleted: "This comment was deleted.", more: "Load more comments",
      edit: "Edit", del: "Delete", saveEdit: "Save", cancelEdit: "Cancel",
      confirmDelete: "Delete this comment?",
      isRequired: "is required.", tooShort: "must be at least {n} characters.", tooLong: "must be at most {n} characters.",
      badEmail: "must be a valid email address.", badUrl: "must start with http:// or https://.",
      fixFields: "Please correct the highlighted fields.", posted: "Your comment was posted.",
      heldPosted: "Your comment was sent and is awaiting moderation.",
      rateLimited: "You are commenting too fast. Please try again in {n} seconds.",
      duplicate: "You have already posted this comment.", failed: "Your comment could not be sent. Please try again.",
      loadFailed: "Comments could not be loaded.", inReplyTo: "in reply to {name}",
      closed: "Comments are closed.", pinned: "Pinned", sort: "Sort comments", oldest: "Oldest first", newest: "Newest first",
      report: "Report", reportOf: "Report the comment by {name}", why: "Why should the moderators look at it?",
      reasons: { spam: "Spam", abusive: "Abusive", off_topic: "Off-topic", other: "Other" },
      reportNote: "Note (optional)", sendReport: "Send report", chooseReason: "Please choose a reason.",
      reported: "Thank you. Your report was sent to the moderators.", reportedDone: "Reported"
    },
    de: {
      comments: function (n) { return n === 1 ? "1 Kommentar" : n + " Kommentare"; },
      leave: "Schreibe einen Kommentar", replyTo: "Antwort an {name}", cancel: "Antwort abbrechen", reply: "Antworten",
      required: "Erforderliche Felder sind markiert", star: "*",
      name: "Name", email: "E-Mail", website: "Website", comment: "Kommentar",
      emailNote: "Deine E-Mail-Adresse wird nicht veröffentlicht.",
      notify: "Benachrichtige mich über nachfolgende Kommentare per E-Mail",
      save: "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser für die nächste Kommentierung speichern.",
      post: "Kommentar abschicken", posting: "Wird gesendet…",
      awaiting: "Dein Kommentar muss noch freigegeben werden.", moderator: "Moderation",
      deleted: "Dieser Kommentar wurde gelöscht.", more: "Weitere Kommentare laden",
      edit: "Bearbeiten", del: "Löschen", saveEdit: "Speichern", cancelEdit: "Abbrechen",
      confirmDelete: "Diesen Kommentar löschen?",
      isRequired: "ist erforderlich.", tooShort: "muss mindestens {n} Zeichen lang sein.", tooLong: "darf höchstens {n} Zeichen lang sein.",
      badEmail: "muss eine gültige E-Mail-Adresse sein.", badUrl: "muss mit http:// oder https:// beginnen.",
      fixFields: "Bitte korrigiere die markierten Felder.", posted: "Dein Kommentar wurde veröffentlicht.",
      heldPosted: "Dein Kommentar wurde gesendet und muss noch freigegeben werden.",
      rateLimited: "Du kommentierst zu schnell. Bitte versuche es in {n} Sekunden erneut.",
      duplicate: "Diesen Kommentar hast du bereits geschrieben.", failed: "Dein Kommentar konnte nicht gesendet werden. Bitte versuche es erneut.",
      loadFailed: "Kommentare konnten nicht geladen werden.", inReplyTo: "als Antwort auf {name}",
      closed: "Kommentare sind geschlossen.", pinned: "Angeheftet", sort: "Kommentare sortieren", oldest: "Älteste zuerst", newest: "Neueste zuerst",
      report: "Melden", reportOf: "Den Kommentar von {name} melden", why: "Warum sollte die Moderation ihn ansehen?",
      reasons: { spam: "Spam", abusive: "Beleidigend", off_topic: "Themenfremd", other: "Anderes" },
      reportNote: "Notiz (optional)", sendReport: "Meldung senden", chooseReason: "Bitte wähle einen Grund.",
      reported: "Danke. Deine Meldung wurde an die Moderation geschickt.", reportedDone: "Gemeldet"
    }
  };
  // Mirrors the server's limits (characters after trimming).
  var LIMITS = { author_name: [1, 100], author_email: [3, 254], author_url: [0, 500], text: [2, 10000] };
  var MAX_DEPTH = 3, PAGE = 100;
  var script = document.currentScript;
  var BASE = new URL(script.src, location.href).origin;
  var CSS = BASE + "/embed.css?v=__CSS_VERSION__";

  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    (kids || []).forEach(function (c) { if (c) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return el;
  }
  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }
  function chars(s) { return Array.from(s.trim()).length; }
  function store(kind) { try { return kind === "local" ? window.localStorage : window.sessionStorage; } catch (e) { return null; } }
  function load(kind, key, dflt) { var s = store(kind); try { return (s && JSON.parse(s.getItem(key))) || dflt; } catch (e) { return dflt; } }
  function keep(kind, key, val) { var s = store(kind); if (!s) return; try { if (val === null) s.removeItem(key); else s.setItem(key, JSON.stringify(val)); } catch (e) { /* storage full or blocked */ } }

  function Widget(host) {
    this.host = host;
    this.site = host.getAttribute("data-site");
    this.uri = host.getAttribute("data-uri") || location.pathname;
    this.title = host.getAttribute("data-title") || document.title;
    this.published = host.getAttribute("data-published") || null;
    this.order = "oldest";
    this.closed = false;
    var lang = (host.getAttribute("data-lang") || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    this.t = STRINGS[lang] || STRINGS.en;
    this.lang = STRINGS[lang] ? lang : "en";
    this.key = "replyd:" + this.site + ":" + this.uri;
    this.comments = [];
    this.total = 0;
    this.formToken = null;
    this.parentId = null;
    this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
    this.build();
    this.fetchPage(0);
    this.fetchToken();
  }

  // The thread is the same for every visitor (shared caches keep it); the form's time-trap
  // token is this visitor's own, so it comes from a request of its own, when the form is shown.
  Widget.prototype.fetchToken = function () {
    var self = this;
    var q = "?site=" + encodeURIComponent(this.site) + "&uri=" + encodeURIComponent(this.uri);
    fetch(BASE + "/api/v1/form-token" + q, { credentials: "omit", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (data) { if (data.form_token) self.formToken = data.form_token; })
      .catch(function () {});
  };

  Widget.prototype.build = function () {
    var t = this.t, self = this;
    this.root.textContent = "";
    this.root.appendChild(h("link", { rel: "stylesheet", href: CSS }));
    this.heading = h("h2", { id: "replyd-count" });
    this.list = h("ol", { class: "comments" });
    this.more = h("button", { type: "button", class: "more", hidden: true, text: t.more, onclick: function () { self.fetchPage(self.comments.length); } });
    this.live = h("p", { class: "live", role: "status", "aria-live": "polite" });
    this.alert = h("p", { class: "alert", role: "alert", hidden: true });
    this.form = this.buildForm();
    this.formHome = h("div", { class: "form-home" }, [this.form]);
    this.closedNote = h("p", { class: "closed", hidden: true, text: t.closed });
    var sort = h("select", { id: "replyd-sort", onchange: function (e) { self.order = e.target.value; self.fetchPage(0); } },
      [h("option", { value: "oldest", text: t.oldest }), h("option", { value: "newest", text: t.newest })]);
    var sorting = h("p", { class: "sort" }, [h("label", { for: "replyd-sort", text: t.sort + " " }), sort]);
    this.root.appendChild(h("section", { class: "replyd", lang: this.lang, "aria-labelledby": "replyd-count" },
      [this.heading, sorting, this.list, this.more, this.formHome, this.closedNote, this.live]));
  };

  Widget.prototype.field = function (name, label, type, required, auto) {
    var t = this.t, id = "replyd-" + name;
    var input = type === "textarea"
      ? h("textarea", { id: id, name: name, rows: 6, required: required, maxlength: LIMITS[name][1] })
      : h("input", { id: id, name: name, type: type, required: required, autocomplete: auto, maxlength: LIMITS[name][1] });
    var err = h("span", { class: "error", id: id + "-error", hidden: true });
    if (name === "author_email") input.setAttribute("aria-describedby", "replyd-note");
    return h("p", { class: "field" }, [
      h("label", { for: id }, [label, required ? h("span", { class: "star", "aria-hidden": "true", text: " " + t.star }) : null]),
      input, err]);
  };

  Widget.prototype.buildForm = function () {
    var t = this.t, self = this;
    var saved = load("local", "replyd:author", null);
    this.formTitle = h("h3", { id: "replyd-form-title", text: t.leave });
    this.cancelBtn = h("button", { type: "button", class: "link", hidden: true, text: t.cancel, onclick: function () { self.cancelReply(); } });
    var form = h("form", { class: "form", novalidate: true, "aria-labelledby": "replyd-form-title" }, [
      h("div", { class: "form-head" }, [this.formTitle, this.cancelBtn]),
      h("p", { class: "note", id: "replyd-note" }, [t.emailNote + " " + t.required + " ", h("span", { "aria-hidden": "true", text: t.star }), "."]),
      this.alert,
      this.field("author_name", t.name, "text", true, "name"),
      this.field("author_email", t.email, "email", true, "email"),
      this.field("author_url", t.website, "url", false, "url"),
      this.field("text", t.comment, "textarea", true, "off"),
      h("p", { class: "hp", "aria-hidden": "true" }, [h("label", {}, ["Leave this empty", h("input", { name: "hp_website", tabindex: "-1", autocomplete: "off" })])]),
      h("p", { class: "check" }, [h("label", {}, [h("input", { type: "checkbox", name: "notify_replies" }), " " + t.notify])]),
      h("p", { class: "check" }, [h("label", {}, [h("input", { type: "checkbox", name: "save", checked: !!saved }), " " + t.save])]),
      h("p", {}, [h("button", { type: "submit", class: "submit", text: t.post })])
    ]);
    if (saved) {
      form.elements.author_name.value = saved.name || "";
      form.elements.author_email.value = saved.email || "";
      form.elements.author_url.value = saved.url || "";
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); self.submit(); });
    return form;
  };

  Widget.prototype.fetchPage = function (offset) {
    var self = this;
    var q = "?site=" + encodeURIComponent(this.site) + "&uri=" + encodeURIComponent(this.uri) + "&limit=" + PAGE + "&offset=" + offset +
      "&order=" + this.order + (this.published ? "&published=" + encodeURIComponent(this.published) : "");
    // Revalidated on every load (a 304 when unchanged), so a reader never sees their own
    // browser's copy once the thread changed; shared caches in front still answer for replyd.
    fetch(BASE + "/api/v1/comments" + q, { credentials: "omit", cache: "no-cache" })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (data) {
        self.comments = offset ? self.comments.concat(data.comments) : data.comments;
        self.total = data.total;
        self.closed = !!data.closed;
        self.render();
        if (!offset) self.jumpToHash();
      })
      .catch(function () { self.live.textContent = self.t.loadFailed; });
  };

  Widget.prototype.pending = function () {
    var known = {};
    this.comments.forEach(function (c) { known[c.id] = true; });
    var mine = load("session", this.key, []).filter(function (c) { return !known[c.id]; });
    keep("session", this.key, mine.length ? mine : null);
    return mine;
  };

  Widget.prototype.render = function () {
    var self = this, t = this.t;
    var mine = this.pending();
    var all = this.comments.concat(mine.map(function (c) { c.pending = true; return c; }));
    var byId = {}, kids = {};
    all.forEach(function (c) { byId[c.id] = c; });
    all.forEach(function (c) {
      var p = c.parent_id && byId[c.parent_id] ? c.parent_id : 0;
      (kids[p] = kids[p] || []).push(c);
    });
    this.heading.textContent = t.comments(this.total);
    // An open reply form lives inside the list: keep it under its comment across re-renders.
    var replying = this.list.contains(this.form) ? this.parentId : null;
    this.list.textContent = "";
    function place(list, parentId, depth) {
      (kids[parentId] || []).forEach(function (c) {
        var li = self.renderComment(c, byId);
        list.appendChild(li);
        if (kids[c.id]) {
          // Beyond MAX_DEPTH replies flatten into the deepest list.
          if (depth + 1 < MAX_DEPTH) {
            var sub = h("ol", { class: "replies" });
            li.appendChild(sub);
            place(sub, c.id, depth + 1);
          } else {
            place(list, c.id, depth);
          }
        }
      });
    }
    place(this.list, 0, 0);
    if (replying !== null) {
      var at = this.root.getElementById("comment-" + replying);
      if (at) at.appendChild(this.form); else this.cancelReply();
    }
    this.more.hidden = this.comments.length >= this.total;
    if (this.closed && this.list.contains(this.form)) this.cancelReply();
    this.formHome.hidden = this.closed;
    this.closedNote.hidden = !this.closed;
  };

  Widget.prototype.renderComment = function (c, byId) {
    var t = this.t, self = this;
    var li = h("li", { id: "comment-" + c.id, class: "comment" + (c.pending ? " pending" : ""), tabindex: "-1" });
    if (c.deleted) {
      li.appendChild(h("p", { class: "meta tomb", text: t.deleted }));
      return li;
    }
    var when = new Date(c.created_at);
    var name = c.author_url
      ? h("a", { href: c.author_url, rel: "nofollow ugc", class: "author", text: c.author_name })
      : h("span", { class: "author", text: c.author_name });
    var parent = c.parent_id && byId[c.parent_id];
    var body = h("div", { class: "body" });
    body.innerHTML = c.html; // sanitised by the server when it was written
    li.appendChild(h("header", { class: "meta" }, [
      h("span", { class: "avatar", "aria-hidden": "true", text: c.avatar || "" }), name,
      c.by_moderator ? h("span", { class: "badge", text: t.moderator }) : null,
      c.pinned ? h("span", { class: "badge pinned", text: t.pinned }) : null,
      h("a", { class: "permalink", href: "#comment-" + c.id }, [h("time", { datetime: c.created_at, title: when.toLocaleString(this.lang), text: this.ago(when) })]),
      parent && parent.author_name ? h("span", { class: "context", text: fmt(t.inReplyTo, { name: parent.author_name }) }) : null
    ]));
    if (c.pending) li.appendChild(h("p", { class: "awaiting", text: t.awaiting }));
    li.appendChild(body);
    var actions = h("p", { class: "actions" });
    if (!c.pending && !this.closed) actions.appendChild(h("button", { type: "button", class: "link reply", text: t.reply, "aria-label": fmt(t.replyTo, { name: c.author_name }), onclick: function (e) { self.replyTo(c, li, e.target); } }));
    if (!c.pending) actions.appendChild(h("button", { type: "button", class: "link report", text: t.report, "aria-label": fmt(t.reportOf, { name: c.author_name }), "aria-expanded": "false", onclick: function (e) { self.reportForm(c, li, e.currentTarget); } }));
    var own = load("session", "replyd:own", {})[c.id];
    if (own && Date.parse(own.expires) > Date.now()) {
      actions.appendChild(h("button", { type: "button", class: "link", text: t.edit, onclick: function () { self.edit(c, body, own.token); } }));
      actions.appendChild(h("button", { type: "button", class: "link", text: t.del, onclick: function () { self.remove(c, own.token); } }));
    }
    li.appendChild(actions);
    return li;
  };

  Widget.prototype.ago = function (d) {
    var s = (d.getTime() - Date.now()) / 1000, units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
    var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(this.lang, { numeric: "auto" }) : null;
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(s) >= units[i][1]) return rtf ? rtf.format(Math.round(s / units[i][1]), units[i][0]) : d.toLocaleString();
    }
    return rtf ? rtf.format(Math.round(s), "second") : d.toLocaleString();
  };

  Widget.prototype.jumpToHash = function () {
    var m = /^#comment-(\d+)$/.exec(location.hash);
    var el = m && this.root.getElementById("comment-" + m[1]);
    if (el) { el.scrollIntoView(); el.focus(); }
  };

  Widget.prototype.replyTo = function (c, li, button) {
    this.parentId = c.id;
    this.replyButton = button;
    this.formTitle.textContent = fmt(this.t.replyTo, { name: c.author_name });
    this.cancelBtn.hidden = false;
    li.appendChild(this.form);
    this.form.elements.text.focus();
  };

  Widget.prototype.cancelReply = function () {
    this.parentId = null;
    this.formTitle.textContent = this.t.leave;
    this.cancelBtn.hidden = true;
    this.formHome.appendChild(this.form);
    if (this.replyButton && this.replyButton.isConnected) this.replyButton.focus();
  };

  Widget.prototype.showErrors = function (fields) {
    var t = this.t, form = this.form, first = null;
    ["author_name", "author_email", "author_url", "text"].forEach(function (name) {
      var input = form.elements[name], err = input.parentNode.querySelector(".error");
      var msgs = fields[name];
      var label = input.parentNode.querySelector("label").firstChild.textContent;
      if (msgs && msgs.length) {
        err.textContent = label + " " + msgs.join(" ");
        err.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", (name === "author_email" ? "replyd-note " : "") + err.id);
        first = first || input;
      } else {
        err.hidden = true;
        input.removeAttribute("aria-invalid");
        if (name === "author_email") input.setAttribute("aria-describedby", "replyd-note"); else input.removeAttribute("aria-describedby");
      }
    });
    var other = Object.keys(fields).filter(function (k) { return !form.elements[k]; });
    this.say(first || other.length ? t.fixFields + (other.length ? " (" + other.map(function (k) { return k + ": " + fields[k].join(" "); }).join("; ") + ")" : "") : "", true);
    if (first) first.focus();
    return !!first || other.length > 0;
  };

  Widget.prototype.say = function (msg, isError) {
    this.alert.hidden = !isError || !msg;
    this.alert.textContent = isError ? msg : "";
    if (!isError) this.live.textContent = msg;
  };

  Widget.prototype.check = function () {
    var t = this.t, f = this.form.elements, fields = {};
    Object.keys(LIMITS).forEach(function (name) {
      var v = f[name].value, n = chars(v), lim = LIMITS[name];
      if (!n && lim[0]) fields[name] = [t.isRequired];
      else if (n && n < lim[0]) fields[name] = [fmt(t.tooShort, { n: lim[0] })];
      else if (n > lim[1]) fields[name] = [fmt(t.tooLong, { n: lim[1] })];
    });
    if (!fields.author_email && !/^[^\s@]+@[^\s@]+$/.test(f.author_email.value.trim())) fields.author_email = [t.badEmail];
    if (!fields.author_url && f.author_url.value.trim() && !/^https?:\/\/\S+$/i.test(f.author_url.value.trim())) fields.author_url = [t.badUrl];
    return fields;
  };

  Widget.prototype.submit = function () {
    var self = this, t = this.t, f = this.form.elements;
    if (this.showErrors(this.check())) return;
    var body = {
      site: this.site, uri: this.uri, title: this.title, parent_id: this.parentId,
      author_name: f.author_name.value, author_email: f.author_email.value, author_url: f.author_url.value || null,
      text: f.text.value, notify_replies: f.notify_replies.checked, hp_website: f.hp_website.value, form_token: this.formToken,
      published: this.published
    };
    if (f.save.checked) keep("local", "replyd:author", { name: f.author_name.value, email: f.author_email.value, url: f.author_url.value });
    else keep("local", "replyd:author", null);
    // The returning-commenter token is kept only with the same consent as the name and email.
    var proof = f.save.checked ? load("local", "replyd:returning:" + this.site, null) : null;
    if (proof && proof.email === body.author_email.trim().toLowerCase()) body.returning_token = proof.token;
    if (!f.save.checked) keep("local", "replyd:returning:" + this.site, null);
    var button = this.form.querySelector(".submit");
    button.disabled = true;
    button.textContent = t.posting;
    fetch(BASE + "/api/v1/comments", { method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (data) { return { r: r, data: data }; }); })
      .then(function (res) { self.afterSubmit(res.r, res.data, body); })
      .catch(function () { self.say(t.failed, true); })
      .then(function () { button.disabled = false; button.textContent = t.post; });
  };

  Widget.prototype.afterSubmit = function (r, data, sent) {
    var t = this.t;
    if (r.status === 201) {
      this.showErrors({});
      var c = { id: data.id, parent_id: sent.parent_id, author_name: data.author_name || sent.author_name.trim(), author_url: data.author_url || null,
        html: data.html || "", created_at: data.created_at, avatar: data.avatar || "", by_moderator: false, deleted: false };
      if (data.returning_token && this.form.elements.save.checked) {
        // Keep the newest published comment's token; a held one only when there is none yet.
        var email = sent.author_email.trim().toLowerCase(), had = load("local", "replyd:returning:" + this.site, null);
        if (data.status === "approved" || !had || had.email !== email) keep("local", "replyd:returning:" + this.site, { email: email, token: data.returning_token });
      }
      if (data.edit_token) {
        var own = load("session", "replyd:own", {});
        own[data.id] = { token: data.edit_token, expires: data.edit_expires_at };
        keep("session", "replyd:own", own);
      }
      if (data.status === "approved") {
        this.comments.push(c);
        this.total += 1;
      } else {
        var mine = load("session", this.key, []);
        mine.push(c);
        keep("session", this.key, mine);
      }
      this.form.elements.text.value = "";
      this.cancelReply();
      this.render();
      this.say(data.status === "approved" ? t.posted : t.heldPosted, false);
      var li = this.root.getElementById("comment-" + data.id);
      if (li) li.focus();
      this.fetchToken();
    } else if (r.status === 422 && data.error && data.error.fields) {
      this.showErrors(data.error.fields);
    } else if (r.status === 429) {
      var wait = parseInt(r.headers.get("Retry-After"), 10) || (data.error && data.error.retry_after) || 15;
      this.say(fmt(t.rateLimited, { n: wait }), true);
    } else if (r.status === 409) {
      this.say(t.duplicate, true);
    } else if (r.status === 403 && data.error && data.error.code === "comments_closed") {
      this.closed = true;
      this.render();
      this.say(t.closed, false);
    } else {
      this.say((data.error && data.error.message) || t.failed, true);
    }
  };

  Widget.prototype.edit = function (c, body, token) {
    var self = this, t = this.t;
    var area = h("textarea", { rows: 5, "aria-label": t.comment, maxlength: LIMITS.text[1] });
    area.value = c.text || body.textContent.trim();
    var box = h("div", { class: "editing" }, [area, h("p", {}, [
      h("button", { type: "button", text: t.saveEdit, onclick: function () {
        fetch(BASE + "/api/v1/comments/" + c.id, { method: "PATCH", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: area.value, edit_token: token }) })
          .then(function (r) { return r.json().then(function (d) { return { r: r, d: d }; }); })
          .then(function (res) {
            if (!res.r.ok) { self.say((res.d.error && res.d.error.message) || t.failed, true); return; }
            c.html = res.d.html; c.text = area.value;
            if (res.d.status !== "approved") {
              self.comments = self.comments.filter(function (x) { return x.id !== c.id; });
              var mine = load("session", self.key, []).filter(function (x) { return x.id !== c.id; });
              mine.push(c);
              keep("session", self.key, mine);
            }
            self.render();
          });
      } }),
      h("button", { type: "button", text: t.cancelEdit, onclick: function () { self.render(); } })])]);
    body.replaceWith(box);
    area.focus();
  };

  Widget.prototype.remove = function (c, token) {
    var self = this;
    if (!window.confirm(this.t.confirmDelete)) return;
    fetch(BASE + "/api/v1/comments/" + c.id, { method: "DELETE", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ edit_token: token }) })
      .then(function (r) {
        if (!r.ok) return;
        self.comments = self.comments.filter(function (x) { return x.id !== c.id; });
        keep("session", self.key, load("session", self.key, []).filter(function (x) { return x.id !== c.id; }));
        self.fetchPage(0);
      });
  };

  // Reports: one random token per browser, so that one reader counts once.
  function reporter() {
    var tok = load("local", "replyd:reporter", null);
    if (!tok) {
      var a = new Uint8Array(16);
      (window.crypto || {}).getRandomValues ? window.crypto.getRandomValues(a) : a.forEach(function (_, i) { a[i] = Math.random() * 256; });
      tok = Array.from(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      keep("local", "replyd:reporter", tok);
    }
    return tok;
  }

  Widget.prototype.reportForm = function (c, li, button) {
    var t = this.t, self = this, id = "replyd-report-" + c.id;
    var open = this.root.getElementById(id);
    if (open) { open.remove(); button.setAttribute("aria-expanded", "false"); return; }
    var error = h("p", { class: "alert", role: "alert", hidden: true });
    var radios = Object.keys(t.reasons).map(function (r) {
      return h("label", { class: "reason" }, [h("input", { type: "radio", name: "reason", value: r }), " " + t.reasons[r]]);
    });
    var note = h("input", { id: id + "-note", name: "note", type: "text", maxlength: 500 });
    var form = h("form", { id: id, class: "report-form", novalidate: true }, [
      h("fieldset", {}, [h("legend", { text: fmt(t.reportOf, { name: c.author_name }) + ". " + t.why })].concat(radios)),
      h("p", {}, [h("label", { for: id + "-note", text: t.reportNote }), note]), error,
      h("p", {}, [h("button", { type: "submit", text: t.sendReport }),
        h("button", { type: "button", class: "link", text: t.cancelEdit, onclick: function () { form.remove(); button.setAttribute("aria-expanded", "false"); button.focus(); } })])
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var picked = form.querySelector("input[name=reason]:checked");
      if (!picked) { error.hidden = false; error.textContent = t.chooseReason; form.querySelector("input[name=reason]").focus(); return; }
      fetch(BASE + "/api/v1/comments/" + c.id + "/report", { method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reason: picked.value, note: note.value || null, token: reporter() }) })
        .then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { return { r: r, d: d }; }); })
        .then(function (res) {
          if (res.r.status !== 202) { error.hidden = false; error.textContent = (res.d.error && res.d.error.message) || t.failed; return; }
          form.remove();
          button.textContent = t.reportedDone;
          button.disabled = true;
          button.removeAttribute("aria-expanded");
          li.focus();
          self.say(t.reported, false);
        })
        .catch(function () { error.hidden = false; error.textContent = t.failed; });
    });
    button.setAttribute("aria-expanded", "true");
    button.parentNode.after(form);
    radios[0].querySelector("input").focus();
  };

  function start() {
    var hosts = document.querySelectorAll("[data-replyd]");
    for (var i = 0; i < hosts.length; i++) if (!hosts[i].shadowRoot) new Widget(hosts[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
