"use strict";
// The case page (no inline handlers: the portal runs under a Content-Security-Policy).
// - The right's autocomplete asks for the chosen holder's rights (the server filters them,
//   ProtectedRightAdmin.get_search_results), and a new holder clears a right of the old one.
// - The case-level reason can be given to every item that has none, in one click.
// - An item's seller handle suggests the handles already reported (the admin's autocomplete
//   lookup, PlatformSellerAdmin.get_search_results), most reported first.
// Everything waits for DOMContentLoaded: django.jQuery exists by then, whatever the script order.
(function () {
  function value(id) {
    var element = document.getElementById(id);
    return element ? element.value : "";
  }

  function askForTheHoldersRights($) {
    $.ajaxPrefilter(function (options) {
      var data = typeof options.data === "string" ? options.data : "";
      if (!/(^|&)model_name=takedowncase(&|$)/.test(data) || !/(^|&)field_name=right(&|$)/.test(data)) {
        return;
      }
      options.data = data + "&holder=" + encodeURIComponent(value("id_rights_holder")) +
        "&basis=" + encodeURIComponent(value("id_reporter_basis"));
    });
    var holder = value("id_rights_holder");
    $("#id_rights_holder").on("change", function () {
      if (this.value !== holder) { // a new holder, not select2 announcing the current one
        holder = this.value;
        $("#id_right").val(null).trigger("change");
      }
    });
  }

  function itemReasonSelects() {
    return Array.prototype.filter.call(
      document.querySelectorAll("select[name^='items-'][name$='-outcome_reason']"),
      function (select) { return select.name.indexOf("__prefix__") === -1; }
    );
  }

  function offerTheCaseReasonToItems() {
    var caseReason = document.getElementById("id_transition_reason");
    var button = document.getElementById("td-reason-to-items");
    if (!caseReason || !button || !itemReasonSelects().length) {
      return;
    }
    caseReason.insertAdjacentElement("afterend", button);
    function refresh() {
      button.hidden = !caseReason.value;
    }
    caseReason.addEventListener("change", refresh);
    button.addEventListener("click", function () {
      itemReasonSelects().forEach(function (select) {
        if (!select.value) {
          select.value = caseReason.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
    refresh();
  }

  var SELLER_FIELD = /^items-\d+-seller_handle$/;

  function suggestSellerHandles() {
    var form = document.querySelector("#takedowncase_form");
    var lookup = document.getElementById("td-seller-lookup");
    if (!form || !lookup) {
      return;
    }
    var list = document.createElement("datalist");
    list.id = "td-seller-handles";
    form.appendChild(list);
    var timer = null;
    form.addEventListener("input", function (event) {
      var input = event.target;
      if (!SELLER_FIELD.test(input.name || "")) {
        return;
      }
      input.setAttribute("list", list.id);
      clearTimeout(timer);
      timer = setTimeout(function () {
        var term = input.value.trim();
        if (term.replace(/^@/, "").length < 2) {
          return;
        }
        fetch(lookup.dataset.url + "&term=" + encodeURIComponent(term), {
          credentials: "same-origin",
          headers: { Accept: "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        }).then(function (data) {
          list.replaceChildren.apply(list, data.results.map(function (result) {
            var option = document.createElement("option");
            option.value = result.text;
            return option;
          }));
        });
      }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.django && window.django.jQuery) {
      askForTheHoldersRights(window.django.jQuery);
    }
    offerTheCaseReasonToItems();
    suggestSellerHandles();
  });
})();
