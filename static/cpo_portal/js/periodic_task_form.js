// The periodic task form: show the selected crontab in words under the crontab field.
// Replaces django-celery-beat's inline script (see the template for why). Text nodes, not
// HTML, so a schedule's description can never inject markup.
"use strict";
{
    const $ = django.jQuery;
    const script = document.getElementById("periodic-task-overrides");
    const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
    const originalHelp = script.dataset.crontabHelp;

    function updateCrontabHelp(translation) {
        const help = $(".field-crontab .help");
        help.empty();
        help.append(document.createTextNode(originalHelp));
        help.append(document.createElement("br"));
        help.append(document.createTextNode("Translation: " + translation));
    }

    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
        updateCrontabHelp(readable[$("#id_crontab").val()]);
    });
}
