// The mayor's mailbox: attach the phone's current position to the case, when the citizen asks for it.
(function () {
  const button = document.getElementById("use-location");
  if (!button || !navigator.geolocation) return;
  const status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.finding || "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("lng").value = position.coords.longitude.toFixed(6);
      status.textContent = "✓ " + position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
    }, function () {
      status.textContent = "✗";
    }, {enableHighAccuracy: true, timeout: 10000});
  });
})();
